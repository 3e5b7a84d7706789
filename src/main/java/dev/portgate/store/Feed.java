package dev.portgate.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a numbered log in the shared store that other nodes write: LISTENs on {@code channel} on its own
 * session, and on each notification (or every few seconds, in case one was lost) has the {@link Reader} read
 * what was numbered after the last number it read. When the database goes away it keeps trying; on return it
 * reads on from where it was — what changed meanwhile, never a whole table.
 */
final class Feed implements AutoCloseable {

    /** Reads and hands on the entries after {@code after}; returns the last number read ({@code after} if none). */
    @FunctionalInterface
    interface Reader {
        long readAfter(Connection c, long after) throws SQLException;
    }

    private static final Logger log = LoggerFactory.getLogger(Feed.class);
    private static final int WAIT_MILLIS = 5_000;

    private final PostgresDatabase db;
    private final String channel;
    private final Reader reader;
    private final Thread thread;

    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile Connection session;
    private long after;

    Feed(PostgresDatabase db, String channel, long after, Reader reader) {
        this.db = db;
        this.channel = channel;
        this.after = after;
        this.reader = reader;
        this.thread = new Thread(this::run, "store-feed-" + channel);
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
                    s.execute("LISTEN " + channel);
                }
                connected = true;
                if (warned) {
                    log.info("store: reachable again; reading the changes made meanwhile");
                }
                warned = false;
                backoff = 500;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    after = reader.readAfter(c, after);
                    pg.getNotifications(WAIT_MILLIS);
                }
            } catch (SQLException | RuntimeException e) {
                connected = false;
                if (!running) {
                    return;
                }
                if (!warned) {
                    log.warn(
                            "store: lost the database ({}); forwards keep running, {} waits until it is back",
                            e.getMessage(),
                            channel);
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
