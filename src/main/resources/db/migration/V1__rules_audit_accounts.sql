-- Desired state: every forward made through the console, the API or the CLI (config-file forwards
-- live in their file; leases and triggers join later with their owner and expiry).
CREATE TABLE forwards (
    name         TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    spec         TEXT NOT NULL,          -- JSON with the config file's keys
    origin_kind  TEXT NOT NULL,
    origin_owner TEXT NOT NULL DEFAULT '',
    expires_at   INTEGER,                -- epoch millis, NULL = never
    position     INTEGER NOT NULL,       -- keeps the order people made them in
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- Who changed what, when, from where; before/after are the forward's JSON (NULL when absent).
CREATE TABLE audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    source   TEXT NOT NULL DEFAULT '',
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL DEFAULT '',
    before   TEXT,
    after    TEXT,
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit (at);

CREATE TABLE users (
    name          TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used  INTEGER
);
