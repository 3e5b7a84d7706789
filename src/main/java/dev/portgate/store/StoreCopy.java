package dev.portgate.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves a single gateway's state (its SQLite store) into an empty shared PostgreSQL store, in one transaction:
 * every forward (numbered in the change log, as if made by {@code node}), user, API token, ban, traffic total
 * and audit entry. Refuses a target that already holds forwards or users, so that nothing there is mixed or lost.
 */
public final class StoreCopy {

    /** What was copied, table by table, in order. */
    public record Counts(Map<String, Integer> rows) {

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            rows.forEach((table, n) ->
                    b.append(b.length() == 0 ? "" : ", ").append(n).append(' ').append(table));
            return b.toString();
        }
    }

    private static final List<String> ORDER =
            List.of("forwards", "users", "api tokens", "bans", "traffic totals", "audit entries");

    private StoreCopy() {}

    public static Counts copy(SqliteDatabase from, PostgresDatabase to, String node) {
        Map<String, Integer> rows = new LinkedHashMap<>();
        ORDER.forEach(t -> rows.put(t, 0));
        from.read(src -> to.transaction(dst -> {
            refuseIfUsed(dst);
            rows.put("forwards", forwards(src, dst, node));
            rows.put("users", table(src, dst, "users", "name, password_hash, role, created_at, updated_at", null));
            rows.put("api tokens", table(src, dst, "api_tokens", "id, name, token_hash, created_at, last_used", null));
            rows.put("bans", table(src, dst, "bans", "address, until, reason", "ON CONFLICT (address) DO NOTHING"));
            rows.put("traffic totals", traffic(src, dst, node));
            rows.put("audit entries", audit(src, dst, node));
            return null;
        }));
        return new Counts(rows);
    }

    private static void refuseIfUsed(Connection dst) throws SQLException {
        try (Statement s = dst.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM forwards), (SELECT count(*) FROM users)")) {
            rs.next();
            if (rs.getLong(1) > 0 || rs.getLong(2) > 0) {
                throw new IllegalStateException("the target store already holds " + rs.getLong(1) + " forward(s) and "
                        + rs.getLong(2) + " user(s) — copy into an empty database, so that nothing is mixed or lost");
            }
        }
    }

    private static int forwards(Connection src, Connection dst, String node) throws SQLException {
        int n = 0;
        try (Statement s = src.createStatement();
                ResultSet rs = s.executeQuery("SELECT name, kind, spec, origin_kind, origin_owner, expires_at,"
                        + " position, created_at, updated_at FROM forwards ORDER BY position");
                PreparedStatement change = dst.prepareStatement(
                        "INSERT INTO forward_changes (at, node, actor, name, spec, origin_kind, origin_owner)"
                                + " VALUES (?, ?, 'store copy', ?, ?, ?, ?) RETURNING version");
                PreparedStatement row = dst.prepareStatement(
                        "INSERT INTO forwards (name, kind, spec, origin_kind, origin_owner, expires_at, position,"
                                + " created_at, updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            while (rs.next()) {
                change.setLong(1, System.currentTimeMillis());
                change.setString(2, node);
                change.setString(3, rs.getString(1));
                change.setString(4, rs.getString(3));
                change.setString(5, rs.getString(4));
                change.setString(6, rs.getString(5));
                long version;
                try (ResultSet v = change.executeQuery()) {
                    v.next();
                    version = v.getLong(1);
                }
                for (int i = 1; i <= 5; i++) {
                    row.setString(i, rs.getString(i)); // name, kind, spec, origin_kind, origin_owner
                }
                row.setObject(6, nullableLong(rs, 6), Types.BIGINT); // expires_at
                for (int i = 7; i <= 9; i++) {
                    row.setLong(i, rs.getLong(i)); // position, created_at, updated_at
                }
                row.setLong(10, version);
                row.executeUpdate();
                n++;
            }
        }
        return n;
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /** Copies the named columns as they are; text and numbers both pass through getObject. */
    private static int table(Connection src, Connection dst, String table, String columns, String onConflict)
            throws SQLException {
        int count = columns.split(",").length;
        String marks = String.join(", ", Collections.nCopies(count, "?"));
        int n = 0;
        try (Statement s = src.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + columns + " FROM " + table);
                PreparedStatement ins = dst.prepareStatement("INSERT INTO " + table + " (" + columns + ") VALUES ("
                        + marks + ")" + (onConflict == null ? "" : " " + onConflict))) {
            while (rs.next()) {
                for (int i = 1; i <= count; i++) {
                    Object v = rs.getObject(i);
                    ins.setObject(i, v instanceof Integer small ? Long.valueOf(small) : v);
                }
                n += ins.executeUpdate();
            }
        }
        return n;
    }

    private static int traffic(Connection src, Connection dst, String node) throws SQLException {
        int n = 0;
        try (Statement s = src.createStatement();
                ResultSet rs = s.executeQuery("SELECT name, bytes_in, bytes_out, since FROM forward_traffic");
                PreparedStatement ins = dst.prepareStatement(
                        "INSERT INTO forward_traffic (node, name, bytes_in, bytes_out, since) VALUES (?, ?, ?, ?, ?)")) {
            while (rs.next()) {
                ins.setString(1, node);
                ins.setString(2, rs.getString(1));
                ins.setLong(3, rs.getLong(2));
                ins.setLong(4, rs.getLong(3));
                ins.setLong(5, rs.getLong(4));
                n += ins.executeUpdate();
            }
        }
        return n;
    }

    /** The audit log keeps its order (its ids) and is marked as the copied node's. */
    private static int audit(Connection src, Connection dst, String node) throws SQLException {
        int n = 0;
        try (Statement s = src.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT id, at, actor, source, action, subject, before, after, detail FROM audit ORDER BY id");
                PreparedStatement ins = dst.prepareStatement("INSERT INTO audit (id, at, actor, source, action,"
                        + " subject, before, after, detail, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            while (rs.next()) {
                ins.setLong(1, rs.getLong(1));
                ins.setLong(2, rs.getLong(2));
                for (int i = 3; i <= 9; i++) {
                    ins.setString(i, rs.getString(i));
                }
                ins.setString(10, node);
                n += ins.executeUpdate();
            }
        }
        try (Statement s = dst.createStatement()) {
            s.execute("SELECT setval(pg_get_serial_sequence('audit', 'id'), COALESCE(MAX(id), 0) + 1, false)"
                    + " FROM audit");
        }
        return n;
    }
}
