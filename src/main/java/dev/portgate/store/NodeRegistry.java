package dev.portgate.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node among the others on a shared store. It holds, on a session of its own, an advisory lock on its name
 * (so two running nodes cannot share one; a node that dies loses it with its connection), writes a heartbeat
 * every {@link #BEAT}, and tries for the cluster's one "leader" lock: the jobs that must run on one node at a
 * time (expiry, lease clean-up) run where it is held, and move within seconds when that node dies. Times are the
 * database's, so nodes with skewed clocks agree on who is up.
 */
public final class NodeRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);
    static final Duration BEAT = Duration.ofSeconds(1);
    /** A node not heard from for this long is shown down. */
    public static final Duration DOWN_AFTER = Duration.ofSeconds(5);

    /** Advisory lock keys: the first of each pair says "portgate", the second what is locked. */
    private static final int LOCK_SPACE = 0x7067_6e64;

    private static final int LEADER = 1;
    private static final int LEADER_JOB_TICKS = 60;
    private static final String NOW_MILLIS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

    /** How a forward runs on one node: its state ("listening", "failed", …) and, when it failed, why. */
    public record Running(String node, String state, String error, boolean up) {}

    /** One node as the registry shows it. */
    public record Node(
            String name,
            String address,
            String version,
            Instant started,
            Instant heartbeat,
            boolean up,
            boolean self,
            String linkFingerprint) {}

    private final PostgresDatabase db;
    private final NodeSettings me;
    private final String version;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "node-registry");
        t.setDaemon(true);
        return t;
    });

    private final long started = System.currentTimeMillis();
    /** This node's node-link certificate, published with each heartbeat ("" without a node link). */
    private volatile String linkFingerprint = "";

    private Connection session; // timer thread only, after start
    private volatile boolean leader;
    private volatile boolean reachable = true;
    private volatile String problem;

    /** What this node last wrote of its forwards' states (timer thread only). */
    private Map<String, Running> written = new HashMap<>();

    private volatile Supplier<Map<String, Running>> states = Map::of;
    /** Jobs the leader runs about once a minute (pruning old log rows). */
    private final List<Runnable> leaderJobs = new CopyOnWriteArrayList<>();

    private int ticks;

    public NodeRegistry(PostgresDatabase db, NodeSettings me, String version) {
        this.db = db;
        this.me = me;
        this.version = version;
    }

    /** Runs {@code job} about once a minute on whichever node leads (its failures are logged, not fatal). */
    public void whileLeader(Runnable job) {
        leaderJobs.add(job);
    }

    /** Where this node's forwards' states come from; what changed of them is written with each heartbeat. */
    public void report(Supplier<Map<String, Running>> source) {
        states = source;
    }

    /**
     * Takes this node's name and writes the first heartbeat.
     *
     * @throws IllegalStateException when a running node has the name
     */
    public NodeRegistry start() throws SQLException {
        session = db.session();
        if (!tryLock(session, nameKey(me.name()))) {
            session.close();
            throw new IllegalStateException("node name \"" + me.name() + "\" is taken by a node that is running"
                    + " — give this node another node.name: (each node of a cluster needs its own)");
        }
        beat();
        timer.scheduleWithFixedDelay(this::tick, BEAT.toMillis(), BEAT.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private static int nameKey(String name) {
        return ("node:" + name).hashCode();
    }

    private static boolean tryLock(Connection c, int key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            ps.setInt(1, LOCK_SPACE);
            ps.setInt(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void tick() {
        try {
            if (session == null || session.isClosed()) {
                reconnect();
            }
            beat();
            writeStates();
            if (!leader && tryLock(session, LEADER)) {
                leader = true;
                log.info("node {}: runs the cluster's timed jobs now (expiry, lease clean-up)", me.name());
            }
            if (leader && ticks++ % LEADER_JOB_TICKS == 0) {
                for (Runnable job : leaderJobs) {
                    try {
                        job.run();
                    } catch (RuntimeException e) {
                        log.warn("node {}: a timed job failed: {}", me.name(), e.getMessage());
                    }
                }
            }
            if (!reachable) {
                log.info("node {}: the store is reachable again", me.name());
            }
            reachable = true;
            problem = null;
        } catch (SQLException | RuntimeException e) {
            if (reachable) {
                log.warn("node {}: cannot reach the store ({}); forwarding goes on", me.name(), e.getMessage());
            }
            reachable = false;
            problem = PostgresDatabase.target(e);
            // The locks went with the session; another node may take the lead meanwhile.
            leader = false;
            closeSession();
        }
    }

    private void reconnect() throws SQLException {
        session = db.session();
        written = new HashMap<>(); // write every state again: the store may have missed some
        if (!tryLock(session, nameKey(me.name()))) {
            log.error("node {}: another running node took this node's name while the store was unreachable", me.name());
        }
    }

    private void beat() throws SQLException {
        try (PreparedStatement ps = session.prepareStatement(
                "INSERT INTO nodes (name, address, version, started_at, link_fingerprint, heartbeat_at)"
                        + " VALUES (?, ?, ?, ?, ?, " + NOW_MILLIS + ") ON CONFLICT (name) DO UPDATE SET"
                        + " address = excluded.address, version = excluded.version, started_at = excluded.started_at,"
                        + " link_fingerprint = excluded.link_fingerprint, heartbeat_at = excluded.heartbeat_at")) {
            ps.setString(1, me.name());
            ps.setString(2, me.address());
            ps.setString(3, version);
            ps.setLong(4, started);
            ps.setString(5, linkFingerprint);
            ps.executeUpdate();
        }
    }

    /** Writes the forward states that changed since the last beat, and forgets the forwards that went. */
    private void writeStates() throws SQLException {
        Map<String, Running> now = new HashMap<>(states.get());
        if (now.equals(written)) {
            return;
        }
        try (PreparedStatement up = session.prepareStatement(
                        "INSERT INTO forward_status (node, name, state, error, updated_at) VALUES (?, ?, ?, ?, ?)"
                                + " ON CONFLICT (node, name) DO UPDATE SET state = excluded.state,"
                                + " error = excluded.error, updated_at = excluded.updated_at");
                PreparedStatement gone =
                        session.prepareStatement("DELETE FROM forward_status WHERE node = ? AND name = ?")) {
            for (Map.Entry<String, Running> e : now.entrySet()) {
                if (!e.getValue().equals(written.get(e.getKey()))) {
                    up.setString(1, me.name());
                    up.setString(2, e.getKey());
                    up.setString(3, e.getValue().state());
                    up.setString(4, e.getValue().error());
                    up.setLong(5, System.currentTimeMillis());
                    up.addBatch();
                }
            }
            for (String name : written.keySet()) {
                if (!now.containsKey(name)) {
                    gone.setString(1, me.name());
                    gone.setString(2, name);
                    gone.addBatch();
                }
            }
            up.executeBatch();
            gone.executeBatch();
        }
        written = now;
    }

    /** Each forward's state on each node that reported it, the nodes in name order. */
    public Map<String, List<Running>> forwardStates() {
        return db.read(c -> {
            Map<String, List<Running>> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT s.name, s.node, s.state, s.error, "
                            + NOW_MILLIS + " - n.heartbeat_at FROM forward_status s JOIN nodes n ON n.name = s.node"
                            + " ORDER BY s.node");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new Running(
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getLong(5) <= DOWN_AFTER.toMillis()));
                }
            }
            return out;
        });
    }

    /** What is wrong with the store, as the last heartbeat found it; null when it answered. */
    public String problem() {
        return problem;
    }

    /** Whether the cluster's timed jobs are this node's to run now. */
    public boolean leader() {
        return leader;
    }

    public String name() {
        return me.name();
    }

    /** Publishes this node's node-link certificate with the next heartbeat. */
    public void linkFingerprint(String fingerprint) {
        this.linkFingerprint = fingerprint;
    }

    /** Every node the store knows, this one first, then by name. */
    public List<Node> nodes() {
        return db.read(c -> {
            List<Node> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name, address, version, started_at, heartbeat_at, "
                    + NOW_MILLIS + " - heartbeat_at, link_fingerprint FROM nodes ORDER BY name <> ?, name")) {
                ps.setString(1, me.name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Node(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                Instant.ofEpochMilli(rs.getLong(4)),
                                Instant.ofEpochMilli(rs.getLong(5)),
                                rs.getLong(6) <= DOWN_AFTER.toMillis(),
                                rs.getString(1).equals(me.name()),
                                rs.getString(7)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Forgets a node that is down: its row (with its node-link certificate) and what it reported of its forwards.
     * False when it is up after all (a running node writes itself back).
     */
    public boolean forget(String name) {
        return db.transaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("DELETE FROM nodes WHERE name = ? AND " + NOW_MILLIS + " - heartbeat_at > ?")) {
                ps.setString(1, name);
                ps.setLong(2, DOWN_AFTER.toMillis());
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM forward_status WHERE node = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            return true;
        });
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                // gone already
            }
            session = null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeSession(); // releases the name and, if held, the lead at once
    }
}
