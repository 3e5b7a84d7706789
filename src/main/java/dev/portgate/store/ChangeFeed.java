package dev.portgate.store;

import dev.portgate.forward.Forward;
import dev.portgate.rules.PeerChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the other nodes' changes: LISTENs on its own session, and on each notification (or every few seconds,
 * in case one was lost) reads the changes numbered after the last one it handed on. When the database goes away
 * it keeps trying; on return it reads on from where it was — what changed meanwhile, never the whole table.
 */
final class ChangeFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    private static final int WAIT_MILLIS = 5_000;
    private static final int BATCH = 1_000;

    private final PostgresDatabase db;
    private final String node;
    private final Consumer<List<PeerChange>> sink;
    private final Thread thread;

    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile Connection session;
    private long after;

    ChangeFeed(PostgresDatabase db, String node, long after, Consumer<List<PeerChange>> sink) {
        this.db = db;
        this.node = node;
        this.after = after;
        this.sink = sink;
        this.thread = new Thread(this::run, "store-feed");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean connected() {
        return connected;
    }

    private void run() {
        long backoff = 500;
        boolean warned = false;
        while (running) {
            try (Connection c = db.session()) {
                session = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + SharedRuleStore.CHANNEL);
                }
                connected = true;
                if (warned) {
                    log.info("store: reachable again; reading the changes made meanwhile");
                }
                warned = false;
                backoff = 500;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    catchUp(c);
                    pg.getNotifications(WAIT_MILLIS);
                }
            } catch (SQLException | RuntimeException e) {
                connected = false;
                if (!running) {
                    return;
                }
                if (!warned) {
                    log.warn(
                            "store: lost the database ({}); forwards keep running, changes wait until it is back",
                            e.getMessage());
                    warned = true;
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(backoff * 2, 5_000);
            } finally {
                session = null;
            }
        }
    }

    /** Hands on every change after the last one handed on, a batch at a time; this node's own are only counted. */
    private void catchUp(Connection c) throws SQLException {
        while (running) {
            List<PeerChange> batch = new ArrayList<>();
            long last = after;
            int rows = 0;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT version, node, name, spec, origin_kind, origin_owner FROM forward_changes"
                            + " WHERE version > ? ORDER BY version LIMIT " + BATCH)) {
                ps.setLong(1, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        last = rs.getLong(1);
                        if (node.equals(rs.getString(2))) {
                            continue;
                        }
                        String name = rs.getString(3);
                        String spec = rs.getString(4);
                        Forward f = spec == null
                                ? null
                                : SharedRuleStore.decode(name, spec, rs.getString(5), rs.getString(6));
                        if (spec == null || f != null) {
                            batch.add(new PeerChange(last, name, f, rs.getString(2)));
                        }
                    }
                }
            }
            if (!batch.isEmpty()) {
                sink.accept(List.copyOf(batch));
            }
            after = last;
            if (rows < BATCH) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        Connection c = session;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // it is going anyway
            }
        }
        thread.interrupt();
    }
}
