-- Each node's node-link certificate (SHA-256, hex), written with its heartbeat: the other nodes pin it when they
-- connect to the node, and know the node by it when it connects to them. Empty: the node has no node link.
ALTER TABLE nodes ADD COLUMN link_fingerprint TEXT NOT NULL DEFAULT '';
