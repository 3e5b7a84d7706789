-- Each forward's bytes since it was first seen, so the console's totals survive a restart.
CREATE TABLE forward_traffic (
    name      TEXT PRIMARY KEY,
    bytes_in  INTEGER NOT NULL,
    bytes_out INTEGER NOT NULL,
    since     INTEGER NOT NULL
);
