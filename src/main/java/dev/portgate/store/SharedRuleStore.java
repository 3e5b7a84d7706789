package dev.portgate.store;

import dev.portgate.config.ConfigException;
import dev.portgate.config.ForwardJson;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.rules.Actor;
import dev.portgate.rules.Change;
import dev.portgate.rules.PeerChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RuleStore} on PostgreSQL, shared by several nodes: every forward but an SSH or tunnel session's, config
 * files' included (each node's file owns its own). Every change is numbered in {@code forward_changes}
 * and announced with NOTIFY; each node follows the numbers from the last one it applied ({@link ChangeFeed}), so
 * a node that missed notifications reads only what changed since. Each forward carries the number of the change
 * that wrote it: an edit or removal names the number this node last saw, and fails with a {@link Conflict} naming
 * the other node's change when that is no longer the current one — no lost updates.
 */
public final class SharedRuleStore implements RuleStore {

    private static final Logger log = LoggerFactory.getLogger(SharedRuleStore.class);
    static final String CHANNEL = "portgate_changes";
    /** The advisory lock key that orders writers (an arbitrary constant; "pg" "fw" in ASCII). */
    private static final long WRITER_LOCK = 0x7067_6677L;

    private static final int BATCH = 1_000;

    private final PostgresDatabase db;
    private final AuditLog audit;
    private final String node;
    /** The change number each shared forward had when this node last saw it; guarded by the rules' lock. */
    private final Map<String, Long> revisions = new ConcurrentHashMap<>();

    private volatile long loadedAt;
    private Feed feed;
    private Consumer<List<PeerChange>> sink;

    public SharedRuleStore(PostgresDatabase db, AuditLog audit, String node) {
        this.db = db;
        this.audit = audit;
        this.node = node;
    }

    @Override
    public synchronized List<Forward> load() {
        return db.transaction(c -> {
            // One snapshot: the forwards, and the change number they are as of, agree.
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM forward_changes")) {
                rs.next();
                loadedAt = rs.getLong(1);
            }
            List<Forward> out = new ArrayList<>();
            revisions.clear();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT name, spec, origin_kind, origin_owner, revision FROM forwards ORDER BY position");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Forward f = decode(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4));
                    if (f != null) {
                        out.add(f);
                        revisions.put(f.name(), rs.getLong(5));
                    }
                }
            }
            return out;
        });
    }

    /** A stored forward, or null (said once) when this version cannot read it. */
    static Forward decode(String name, String spec, String originKind, String owner) {
        try {
            return ForwardJson.decodeStored(spec, new Origin(Origin.Kind.parse(originKind), owner));
        } catch (ConfigException | IllegalArgumentException e) {
            log.warn("stored forward \"{}\" is not valid and was not loaded: {}", name, e.getMessage());
            return null;
        }
    }

    @Override
    public void commit(List<Change> changes, Actor actor) {
        long now = System.currentTimeMillis();
        Map<String, Long> written = new HashMap<>();
        boolean shared =
                changes.stream().anyMatch(ch -> subject(ch).origin().kind().persistent());
        db.transaction(c -> {
            if (shared) {
                // Numbers are taken and committed one writer at a time, so they become visible in order: a feed
                // that has read number n never later meets a smaller one committed after it.
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_xact_lock(" + WRITER_LOCK + ")");
                }
            }
            for (Change change : changes) {
                Forward f = subject(change);
                if (shared(f)) {
                    long version = logChange(c, now, actor, change);
                    write(c, change, version, now);
                    written.put(change.name(), change instanceof Change.Removed ? -1L : version);
                }
                audit.insert(c, now, actor, change);
            }
            if (!written.isEmpty()) {
                PostgresDatabase.notify(c, CHANNEL, node);
            }
            return null;
        });
        written.forEach((name, version) -> {
            if (version < 0) {
                revisions.remove(name);
            } else {
                revisions.put(name, version);
            }
        });
    }

    /** Shared among the nodes: everything but a session's forwards (config files' too, each node owning its own). */
    private static boolean shared(Forward f) {
        return !f.origin().kind().sessionScoped();
    }

    private static Forward subject(Change change) {
        if (change instanceof Change.Removed r) {
            return r.before();
        }
        return change instanceof Change.Updated u ? u.after() : ((Change.Added) change).after();
    }

    private long logChange(Connection c, long now, Actor actor, Change change) throws SQLException {
        Forward f = subject(change);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO forward_changes (at, node, actor, name, spec, origin_kind, origin_owner)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING version")) {
            ps.setLong(1, now);
            ps.setString(2, node);
            ps.setString(3, actor.toString());
            ps.setString(4, change.name());
            if (change instanceof Change.Removed) {
                ps.setNull(5, Types.VARCHAR);
            } else {
                ps.setString(5, ForwardJson.encodeText(f));
            }
            ps.setString(6, f.origin().kind().label());
            ps.setString(7, f.origin().owner());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void write(Connection c, Change change, long version, long now) throws SQLException {
        String name = change.name();
        int rows;
        if (change instanceof Change.Added a) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO forwards (name, kind, spec, origin_kind, origin_owner, expires_at, position,"
                            + " created_at, updated_at, revision) VALUES (?, ?, ?, ?, ?, ?,"
                            + " (SELECT COALESCE(MAX(position), 0) + 1 FROM forwards), ?, ?, ?)"
                            + " ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, name);
                ps.setString(2, a.after().kind());
                ps.setString(3, ForwardJson.encodeText(a.after()));
                ps.setString(4, a.after().origin().kind().label());
                ps.setString(5, a.after().origin().owner());
                setExpiry(ps, 6, a.after());
                ps.setLong(7, now);
                ps.setLong(8, now);
                ps.setLong(9, version);
                rows = ps.executeUpdate();
            }
        } else if (change instanceof Change.Updated u) {
            // The owner may change too: a forgotten node's file hands a forward over to this node's.
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE forwards SET kind = ?, spec = ?, expires_at = ?,"
                            + " updated_at = ?, revision = ?, origin_kind = ?, origin_owner = ? WHERE name = ? AND revision = ?")) {
                ps.setString(1, u.after().kind());
                ps.setString(2, ForwardJson.encodeText(u.after()));
                setExpiry(ps, 3, u.after());
                ps.setLong(4, now);
                ps.setLong(5, version);
                ps.setString(6, u.after().origin().kind().label());
                ps.setString(7, u.after().origin().owner());
                ps.setString(8, name);
                ps.setLong(9, revisions.getOrDefault(name, -1L));
                rows = ps.executeUpdate();
            }
        } else {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM forwards WHERE name = ? AND revision = ?")) {
                ps.setString(1, name);
                ps.setLong(2, revisions.getOrDefault(name, -1L));
                rows = ps.executeUpdate();
            }
        }
        if (rows == 0) {
            throw new Conflict(name, conflictMessage(c, name, change instanceof Change.Added));
        }
    }

    /** Names the change that came first: which node, who, when. */
    private String conflictMessage(Connection c, String name, boolean adding) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT node, actor, at, spec IS NULL FROM forward_changes"
                + " WHERE name = ? AND node <> ? ORDER BY version DESC LIMIT 1")) {
            ps.setString(1, name);
            ps.setString(2, node);
            try (ResultSet rs = ps.executeQuery()) {
                String what = adding ? "was just added" : "was changed";
                if (!rs.next()) {
                    return "forward \"" + name + "\" " + what + " by another node — reload and try again";
                }
                String how = rs.getBoolean(4) ? "removed" : adding ? "added" : "changed";
                return "forward \"" + name + "\" was " + how + " on node " + rs.getString(1) + " by "
                        + rs.getString(2) + " at " + Instant.ofEpochMilli(rs.getLong(3))
                        + ", after this node read it — reload it and make your change again";
            }
        }
    }

    private static void setExpiry(PreparedStatement ps, int index, Forward f) throws SQLException {
        if (f.limits().expires() == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, f.limits().expires().toEpochMilli());
        }
    }

    @Override
    public synchronized void follow(Consumer<List<PeerChange>> sink) {
        if (feed == null) {
            this.sink = sink;
            feed = new Feed(db, CHANNEL, loadedAt, this::readAfter);
            feed.start();
        }
    }

    /**
     * Hands on the changes after {@code after}, a batch at a time; this node's own are only counted. When the log no
     * longer reaches back that far (the leader prunes old changes), the whole shared state is handed on instead.
     */
    private long readAfter(Connection c, long after) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT MIN(version) FROM forward_changes")) {
            if (rs.next() && rs.getLong(1) > after + 1) {
                return readAll(c);
            }
        }
        long last = after;
        while (true) {
            List<PeerChange> batch = new ArrayList<>();
            int rows = 0;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT version, node, name, spec, origin_kind, origin_owner FROM forward_changes"
                            + " WHERE version > ? ORDER BY version LIMIT " + BATCH)) {
                ps.setLong(1, last);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        last = rs.getLong(1);
                        if (node.equals(rs.getString(2))) {
                            continue;
                        }
                        String name = rs.getString(3);
                        String spec = rs.getString(4);
                        Forward f = spec == null ? null : decode(name, spec, rs.getString(5), rs.getString(6));
                        if (spec == null || f != null) {
                            batch.add(new PeerChange(last, name, f, rs.getString(2)));
                        }
                    }
                }
            }
            if (!batch.isEmpty()) {
                sink.accept(List.copyOf(batch));
            }
            if (rows < BATCH) {
                return last;
            }
        }
    }

    /**
     * The whole shared state as peer changes, for a node that missed changes the log no longer holds: every stored
     * forward, and a removal for each shared forward this node has that the store no longer does.
     */
    private long readAll(Connection c) throws SQLException {
        log.info("store: this node missed changes that are no longer logged; reading every forward again");
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            }
            long now;
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM forward_changes")) {
                rs.next();
                now = rs.getLong(1);
            }
            List<PeerChange> batch = new ArrayList<>();
            Set<String> stored = new HashSet<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT name, spec, origin_kind, origin_owner, revision FROM forwards"
                            + " ORDER BY position")) {
                while (rs.next()) {
                    Forward f = decode(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4));
                    stored.add(rs.getString(1));
                    if (f != null) {
                        batch.add(new PeerChange(rs.getLong(5), f.name(), f, "store"));
                    }
                }
            }
            for (String name : Set.copyOf(revisions.keySet())) {
                if (!stored.contains(name)) {
                    batch.add(new PeerChange(now, name, null, "store"));
                }
            }
            c.commit();
            sink.accept(List.copyOf(batch));
            return now;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** How long changes stay in the log: a node away for longer reads every forward again when it is back. */
    public static final Duration KEEP_CHANGES = Duration.ofDays(1);

    /** The leader's job: drops changes older than {@link #KEEP_CHANGES}. */
    public void pruneOld() {
        int n = prune(Instant.now().minus(KEEP_CHANGES));
        if (n > 0) {
            log.info("store: {} logged change(s) older than {} pruned", n, KEEP_CHANGES);
        }
    }

    /** Deletes logged changes older than {@code before}, always keeping the newest (the leader's job). */
    public int prune(Instant before) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM forward_changes WHERE at < ?"
                    + " AND version < (SELECT MAX(version) FROM forward_changes)")) {
                ps.setLong(1, before.toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void accepted(List<PeerChange> changes) {
        for (PeerChange p : changes) {
            if (p.after() == null) {
                revisions.remove(p.name());
            } else {
                revisions.put(p.name(), p.version());
            }
        }
    }

    /** Whether the feed is connected to the database now (false while it is unreachable). */
    public boolean following() {
        return feed != null && feed.connected();
    }

    @Override
    public synchronized void close() {
        if (feed != null) {
            feed.close();
        }
    }
}
