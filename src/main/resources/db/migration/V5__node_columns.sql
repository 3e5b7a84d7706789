-- The same columns as the shared PostgreSQL store, so one set of statements serves both: which node wrote an
-- audit entry, and whose traffic a total is ('' on a single gateway).
ALTER TABLE audit ADD COLUMN node TEXT NOT NULL DEFAULT '';
CREATE TABLE forward_traffic_by_node (
    node      TEXT NOT NULL DEFAULT '',
    name      TEXT NOT NULL,
    bytes_in  INTEGER NOT NULL,
    bytes_out INTEGER NOT NULL,
    since     INTEGER NOT NULL,
    PRIMARY KEY (node, name)
);
INSERT INTO forward_traffic_by_node (node, name, bytes_in, bytes_out, since)
    SELECT '', name, bytes_in, bytes_out, since FROM forward_traffic;
DROP TABLE forward_traffic;
ALTER TABLE forward_traffic_by_node RENAME TO forward_traffic;
