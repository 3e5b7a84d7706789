package dev.portgate.store;

import dev.portgate.config.ForwardJson;
import dev.portgate.policy.Bans;
import dev.portgate.rules.Actor;
import dev.portgate.rules.Change;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The audit log in the store: every change, with actor, time, source address, before and after. */
public final class AuditLog {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    private final Database db;
    /** The node that writes here, named in each entry ("" on a single gateway). */
    private final String node;

    public AuditLog(Database db) {
        this(db, "");
    }

    public AuditLog(Database db, String node) {
        this.db = db;
        this.node = node;
    }

    /** Records an event that is not a forward change (a login, a password or token change). */
    /** A ban the firewall made: logged and audited with the source as actor. */
    public void banned(Bans.Ban ban) {
        String source = ban.source().getHostAddress();
        log.warn("banned {} until {}: {}", source, ban.until(), ban.reason());
        record(new Actor("firewall", source), "ban", source, ban.reason());
    }

    /**
     * Records an event that is not a forward change. An event the store cannot take (a shared store out of reach)
     * goes to the log instead, in full, and what it records (a login, a ban) goes on: it changed nothing stored.
     */
    public void record(Actor actor, String action, String subject, String detail) {
        try {
            db.transaction(c -> {
                insert(c, System.currentTimeMillis(), actor, action, subject, null, null, detail);
                return null;
            });
        } catch (Database.StoreException e) {
            log.warn(
                    "audit: {} {} by {} ({}) could not be stored, so it is recorded here: {} [{}]",
                    action,
                    subject,
                    actor,
                    detail,
                    e.getMessage(),
                    node);
        }
    }

    void insert(Connection c, long at, Actor actor, Change change) throws SQLException {
        if (change instanceof Change.Added a) {
            insert(
                    c,
                    at,
                    actor,
                    "forward.add",
                    a.name(),
                    null,
                    ForwardJson.encodePublic(a.after()).toString(),
                    "");
        } else if (change instanceof Change.Updated u) {
            String action = u.before().enabled() != u.after().enabled()
                    ? (u.after().enabled() ? "forward.enable" : "forward.disable")
                    : "forward.edit";
            insert(
                    c,
                    at,
                    actor,
                    action,
                    u.name(),
                    ForwardJson.encodePublic(u.before()).toString(),
                    ForwardJson.encodePublic(u.after()).toString(),
                    "");
        } else if (change instanceof Change.Removed r) {
            insert(
                    c,
                    at,
                    actor,
                    "forward.delete",
                    r.name(),
                    ForwardJson.encodePublic(r.before()).toString(),
                    null,
                    "");
        }
    }

    private void insert(
            Connection c,
            long at,
            Actor actor,
            String action,
            String subject,
            String before,
            String after,
            String detail)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO audit (at, actor, source, action, subject, before, after, detail, node)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, at);
            ps.setString(2, actor.name());
            ps.setString(3, actor.source());
            ps.setString(4, action);
            ps.setString(5, subject);
            setNullable(ps, 6, before);
            setNullable(ps, 7, after);
            ps.setString(8, detail);
            ps.setString(9, node);
            ps.executeUpdate();
        }
    }

    private static void setNullable(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }

    /** The newest entries first; {@code beforeId} pages back (0 for the newest). */
    public List<AuditEntry> list(int limit, long beforeId) {
        return db.read(c -> {
            List<AuditEntry> out = new ArrayList<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT id, at, actor, source, action, subject, before, after, detail, node "
                            + "FROM audit WHERE (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?")) {
                ps.setLong(1, beforeId);
                ps.setLong(2, beforeId);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AuditEntry(
                                rs.getLong(1),
                                Instant.ofEpochMilli(rs.getLong(2)),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6),
                                rs.getString(7),
                                rs.getString(8),
                                rs.getString(9),
                                rs.getString(10)));
                    }
                }
            }
            return out;
        });
    }
}
