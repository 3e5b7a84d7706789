-- A new forward takes MAX(position) + 1: without an index that is a scan of every forward, per lease.
CREATE INDEX forwards_position ON forwards (position);
