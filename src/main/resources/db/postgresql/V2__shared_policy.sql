-- Doors opened by a login or a knock on one node are open on every node, until their time.
CREATE TABLE doors (
    forward  TEXT NOT NULL,
    address  TEXT NOT NULL,
    until    BIGINT NOT NULL,
    opened_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (forward, address)
);

-- Bans made or lifted, and doors opened or closed, in order: NOTIFY portgate_policy tells the nodes, and a node
-- that missed notifications reads on from the last number it applied.
CREATE TABLE policy_events (
    version  BIGSERIAL PRIMARY KEY,
    at       BIGINT NOT NULL,
    node     TEXT NOT NULL,
    kind     TEXT NOT NULL,           -- ban, unban, open, close
    address  TEXT NOT NULL,
    forward  TEXT NOT NULL DEFAULT '',
    until    BIGINT,
    note     TEXT NOT NULL DEFAULT ''  -- a ban's reason, or who opened a door
);
