-- Files every node of a cluster needs the same copy of: the ACME account key and the certificates (key and chain)
-- one node obtained for a site, so that the others serve them too. Kept by folder (area) and file name.
CREATE TABLE shared_files (
    area       TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    content    BYTEA  NOT NULL,
    node       TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (area, name)
);
