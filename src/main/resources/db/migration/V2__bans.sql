-- Sources banned for failing authentication, kept so that a restart does not lift a ban.
CREATE TABLE bans (
    address TEXT PRIMARY KEY,
    until   INTEGER NOT NULL,        -- epoch millis
    reason  TEXT NOT NULL DEFAULT ''
);
