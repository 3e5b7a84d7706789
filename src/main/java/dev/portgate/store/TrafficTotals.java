package dev.portgate.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** Each forward's bytes in and out since it was first seen, kept in the store across restarts. */
public final class TrafficTotals {

    /** Bytes each way since {@code since}. */
    public record Total(long bytesIn, long bytesOut, Instant since) {}

    private final Database db;
    /** Whose counting these are: each node of a cluster keeps its own ("" on a single gateway). */
    private final String node;

    public TrafficTotals(Database db, String node) {
        this.db = db;
        this.node = node;
    }

    public Map<String, Total> load() {
        return db.read(c -> {
            Map<String, Total> out = new HashMap<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT name, bytes_in, bytes_out, since FROM forward_traffic WHERE node = ?")) {
                ps.setString(1, node);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(
                                rs.getString(1),
                                new Total(rs.getLong(2), rs.getLong(3), Instant.ofEpochMilli(rs.getLong(4))));
                    }
                }
            }
            return out;
        });
    }

    /** Writes the totals that moved and forgets the forwards that are gone, in one transaction. */
    public void save(Map<String, Total> changed, Collection<String> gone) {
        if (changed.isEmpty() && gone.isEmpty()) {
            return;
        }
        // Not flushed on its own: a power cut may lose the last minute of counting, never the store.
        db.transaction(false, c -> {
            try (PreparedStatement up = c.prepareStatement(
                    "INSERT INTO forward_traffic (name, bytes_in, bytes_out, since, node) VALUES (?, ?, ?, ?, ?)"
                            + " ON CONFLICT(node, name) DO UPDATE SET bytes_in = excluded.bytes_in,"
                            + " bytes_out = excluded.bytes_out")) {
                for (Map.Entry<String, Total> e : changed.entrySet()) {
                    up.setString(1, e.getKey());
                    up.setLong(2, e.getValue().bytesIn());
                    up.setLong(3, e.getValue().bytesOut());
                    up.setLong(4, e.getValue().since().toEpochMilli());
                    up.setString(5, node);
                    up.addBatch();
                }
                up.executeBatch();
            }
            try (PreparedStatement del =
                    c.prepareStatement("DELETE FROM forward_traffic WHERE name = ? AND node = ?")) {
                for (String name : gone) {
                    del.setString(1, name);
                    del.setString(2, node);
                    del.addBatch();
                }
                del.executeBatch();
            }
            return null;
        });
    }
}
