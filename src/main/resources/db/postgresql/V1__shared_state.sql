-- The state several portgate nodes share: the same tables as the embedded SQLite store (times are epoch
-- millis), plus the numbered change log nodes follow, each forward's revision, and the nodes themselves.
CREATE TABLE forwards (
    name         TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    spec         TEXT NOT NULL,          -- JSON with the config file's keys
    origin_kind  TEXT NOT NULL,
    origin_owner TEXT NOT NULL DEFAULT '',
    expires_at   BIGINT,
    position     BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    revision     BIGINT NOT NULL         -- the forward_changes version that wrote it: an edit names the one it saw
);
CREATE INDEX forwards_position ON forwards (position);

-- Every change to forwards, in order. NOTIFY portgate_changes tells the nodes a new version exists; a node
-- that missed notifications reads on from the last version it applied. spec NULL: the forward was removed.
CREATE TABLE forward_changes (
    version      BIGSERIAL PRIMARY KEY,
    at           BIGINT NOT NULL,
    node         TEXT NOT NULL,
    actor        TEXT NOT NULL,
    name         TEXT NOT NULL,
    spec         TEXT,
    origin_kind  TEXT NOT NULL,
    origin_owner TEXT NOT NULL DEFAULT ''
);

CREATE TABLE audit (
    id       BIGSERIAL PRIMARY KEY,
    at       BIGINT NOT NULL,
    node     TEXT NOT NULL DEFAULT '',
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
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used  BIGINT
);

CREATE TABLE bans (
    address TEXT PRIMARY KEY,
    until   BIGINT NOT NULL,
    reason  TEXT NOT NULL DEFAULT ''
);

-- Each node's bytes per forward: every node counts what it carried.
CREATE TABLE forward_traffic (
    node      TEXT NOT NULL DEFAULT '',
    name      TEXT NOT NULL,
    bytes_in  BIGINT NOT NULL,
    bytes_out BIGINT NOT NULL,
    since     BIGINT NOT NULL,
    PRIMARY KEY (node, name)
);

-- The nodes sharing this database: each writes its heartbeat; one not heard from for a while is down.
CREATE TABLE nodes (
    name         TEXT PRIMARY KEY,
    address      TEXT NOT NULL DEFAULT '',
    version      TEXT NOT NULL DEFAULT '',
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);
