-- How each forward runs on each node (listening, failed: why, disabled, elsewhere), written by that node as it
-- changes, so any node's console shows a forward's state on every node.
CREATE TABLE forward_status (
    node       TEXT NOT NULL,
    name       TEXT NOT NULL,
    state      TEXT NOT NULL,
    error      TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (node, name)
);
