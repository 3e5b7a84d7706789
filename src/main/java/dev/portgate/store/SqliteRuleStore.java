package dev.portgate.store;

import dev.portgate.config.ConfigException;
import dev.portgate.config.ForwardJson;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.rules.Actor;
import dev.portgate.rules.Change;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link RuleStore} on the embedded SQLite database. */
public final class SqliteRuleStore implements RuleStore {

    private static final Logger log = LoggerFactory.getLogger(SqliteRuleStore.class);

    private final Database db;
    private final AuditLog audit;

    public SqliteRuleStore(Database db, AuditLog audit) {
        this.db = db;
        this.audit = audit;
    }

    @Override
    public List<Forward> load() {
        return db.read(c -> {
            List<Forward> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT name, spec, origin_kind, origin_owner FROM forwards ORDER BY position");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Origin origin = new Origin(Origin.Kind.parse(rs.getString(3)), rs.getString(4));
                    try {
                        out.add(ForwardJson.decodeStored(rs.getString(2), origin));
                    } catch (ConfigException e) {
                        // A row this version cannot read is kept untouched, and said once.
                        log.warn(
                                "stored forward \"{}\" is not valid and was not loaded: {}",
                                rs.getString(1),
                                e.getMessage());
                    }
                }
            }
            return out;
        });
    }

    /** A lease's or a trigger's change: its device asks again, so its commit need not wait for the disk. */
    private static boolean renewable(Change change) {
        Forward f = change instanceof Change.Removed r
                ? r.before()
                : change instanceof Change.Updated u ? u.after() : ((Change.Added) change).after();
        Origin.Kind k = f.origin().kind();
        return k == Origin.Kind.UPNP || k == Origin.Kind.NATPMP || k == Origin.Kind.PCP || k == Origin.Kind.TRIGGER;
    }

    @Override
    public void commit(List<Change> changes, Actor actor) {
        long now = System.currentTimeMillis();
        db.transaction(!changes.stream().allMatch(SqliteRuleStore::renewable), c -> {
            for (Change change : changes) {
                if (change instanceof Change.Added a
                        && a.after().origin().kind().persistent()) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO forwards (name, kind, spec, origin_kind, origin_owner, expires_at, "
                                    + "position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM forwards), ?, ?)")) {
                        ps.setString(1, a.name());
                        ps.setString(2, a.after().kind());
                        ps.setString(3, ForwardJson.encodeText(a.after()));
                        ps.setString(4, a.after().origin().kind().label());
                        ps.setString(5, a.after().origin().owner());
                        setExpiry(ps, 6, a.after());
                        ps.setLong(7, now);
                        ps.setLong(8, now);
                        ps.executeUpdate();
                    }
                } else if (change instanceof Change.Updated u
                        && u.after().origin().kind().persistent()) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE forwards SET kind = ?, spec = ?, expires_at = ?, updated_at = ? WHERE name = ?")) {
                        ps.setString(1, u.after().kind());
                        ps.setString(2, ForwardJson.encodeText(u.after()));
                        setExpiry(ps, 3, u.after());
                        ps.setLong(4, now);
                        ps.setString(5, u.name());
                        ps.executeUpdate();
                    }
                } else if (change instanceof Change.Removed r
                        && r.before().origin().kind().persistent()) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM forwards WHERE name = ?")) {
                        ps.setString(1, r.name());
                        ps.executeUpdate();
                    }
                }
                audit.insert(c, now, actor, change);
            }
            return null;
        });
    }

    private static void setExpiry(PreparedStatement ps, int index, Forward f) throws SQLException {
        if (f.limits().expires() == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setLong(index, f.limits().expires().toEpochMilli());
        }
    }
}
