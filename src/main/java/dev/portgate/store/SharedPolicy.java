package dev.portgate.store;

import dev.portgate.forward.Addresses;
import dev.portgate.policy.Bans;
import dev.portgate.policy.Doors;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bans and open doors shared by the nodes of a cluster: a ban made or lifted on one node, a door opened by a
 * login or a knock on one node, is written to the shared store with a numbered event, and every other node
 * follows the events ({@link Feed}) and applies them within a second. Writes go out on a thread of their own, in
 * order, so an authentication never waits for the database; while it is unreachable a ban or door holds on the
 * node that made it, and the failure is logged.
 */
public final class SharedPolicy implements Bans.Store, Doors.Watcher, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SharedPolicy.class);
    static final String CHANNEL = "portgate_policy";
    /** Orders the writers of events, as for forwards ("pg" "po"). */
    private static final long WRITER_LOCK = 0x7067_706fL;

    private final PostgresDatabase db;
    private final String node;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "store-policy");
        t.setDaemon(true);
        return t;
    });
    private Feed feed;

    public SharedPolicy(PostgresDatabase db, String node) {
        this.db = db;
        this.node = node;
    }

    /** Opens the doors that are open in the cluster now, then follows what the other nodes do. */
    public SharedPolicy follow(Bans bans, Doors doors) {
        long now = System.currentTimeMillis();
        long after = db.transaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            }
            long last;
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM policy_events")) {
                rs.next();
                last = rs.getLong(1);
            }
            liveDoors(c, now).forEach(doors::adopt);
            return last;
        });
        feed = new Feed(db, CHANNEL, after, (c, from) -> readAfter(c, from, bans, doors));
        feed.start();
        return this;
    }

    private long readAfter(Connection c, long after, Bans bans, Doors doors) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT MIN(version), MAX(version) FROM policy_events")) {
            if (rs.next() && rs.getLong(1) > after + 1) {
                long max = rs.getLong(2);
                readAll(bans, doors);
                return max;
            }
        }
        long last = after;
        try (PreparedStatement ps = c.prepareStatement("SELECT version, node, kind, address, forward, until, note"
                + " FROM policy_events WHERE version > ? ORDER BY version LIMIT 10000")) {
            ps.setLong(1, after);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    last = rs.getLong(1);
                    InetAddress address = Addresses.literal(rs.getString(4));
                    if (node.equals(rs.getString(2)) || address == null) {
                        continue;
                    }
                    Instant until = Instant.ofEpochMilli(rs.getLong(6));
                    switch (rs.getString(3)) {
                        case "ban" -> bans.adopt(new Bans.Ban(address, until, rs.getString(7)));
                        case "unban" -> bans.forget(address);
                        case "open" -> doors.adopt(new Doors.Open(rs.getString(5), address, until, rs.getString(7)));
                        case "close" -> doors.forget(rs.getString(5), address);
                        default -> log.debug("policy event {} of a newer version ignored", rs.getString(3));
                    }
                }
            }
        }
        return last;
    }

    /** For a node that missed events the log no longer holds: the bans and doors as the tables have them now. */
    private void readAll(Bans bans, Doors doors) {
        log.info("store: this node missed ban and door events that are no longer logged; reading them again");
        Instant now = Instant.now();
        List<Bans.Ban> stored = load(now);
        Set<InetAddress> banned = new HashSet<>();
        stored.forEach(b -> {
            banned.add(b.source());
            bans.adopt(b);
        });
        bans.list().stream()
                .map(Bans.Ban::source)
                .filter(a -> !banned.contains(a))
                .forEach(bans::forget);
        Set<String> open = new HashSet<>();
        for (Doors.Open o : db.read(c -> liveDoors(c, now.toEpochMilli()))) {
            open.add(o.forward() + " " + o.source().getHostAddress());
            doors.adopt(o);
        }
        for (Doors.Open o : doors.list()) {
            if (!open.contains(o.forward() + " " + o.source().getHostAddress())) {
                doors.forget(o.forward(), o.source());
            }
        }
    }

    /** The doors open in the cluster now. */
    private static List<Doors.Open> liveDoors(Connection c, long now) throws SQLException {
        List<Doors.Open> out = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement("SELECT forward, address, until, opened_by FROM doors WHERE until > ?")) {
            ps.setLong(1, now);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    InetAddress a = Addresses.literal(rs.getString(2));
                    if (a != null) {
                        out.add(new Doors.Open(
                                rs.getString(1), a, Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4)));
                    }
                }
            }
        }
        return out;
    }

    /** The leader's job: drops policy events older than the change log keeps its changes. */
    public void pruneOld() {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM policy_events WHERE at < ?"
                    + " AND version < (SELECT MAX(version) FROM policy_events)")) {
                ps.setLong(1, Instant.now().minus(SharedRuleStore.KEEP_CHANGES).toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<Bans.Ban> load(Instant now) {
        return db.read(c -> BanStore.live(c, now));
    }

    @Override
    public void put(Bans.Ban ban) {
        write("ban " + ban.source().getHostAddress(), c -> {
            BanStore.write(c, ban);
            event(c, "ban", ban.source(), "", ban.until(), ban.reason());
        });
    }

    @Override
    public void remove(InetAddress source) {
        write("lifting the ban of " + source.getHostAddress(), c -> {
            BanStore.lift(c, source);
            event(c, "unban", source, "", null, "");
        });
    }

    /** A door opened on this node. */
    @Override
    public void opened(Doors.Open open) {
        write("door " + open.forward() + " for " + open.source().getHostAddress(), c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO doors (forward, address, until, opened_by) VALUES (?, ?, ?, ?) ON CONFLICT (forward,"
                            + " address) DO UPDATE SET until = excluded.until, opened_by = excluded.opened_by")) {
                ps.setString(1, open.forward());
                ps.setString(2, open.source().getHostAddress());
                ps.setLong(3, open.until().toEpochMilli());
                ps.setString(4, open.by());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM doors WHERE until < ?")) {
                ps.setLong(1, System.currentTimeMillis());
                ps.executeUpdate();
            }
            event(c, "open", open.source(), open.forward(), open.until(), open.by());
        });
    }

    /** A door closed on this node. */
    @Override
    public void closed(String forward, InetAddress source) {
        write("closing door " + forward + " for " + source.getHostAddress(), c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM doors WHERE forward = ? AND address = ?")) {
                ps.setString(1, forward);
                ps.setString(2, source.getHostAddress());
                ps.executeUpdate();
            }
            event(c, "close", source, forward, null, "");
        });
    }

    private interface Write {
        void run(Connection c) throws SQLException;
    }

    private void write(String what, Write work) {
        writer.execute(() -> {
            try {
                db.transaction(c -> {
                    try (Statement s = c.createStatement()) {
                        s.execute("SELECT pg_advisory_xact_lock(" + WRITER_LOCK + ")");
                    }
                    work.run(c);
                    PostgresDatabase.notify(c, CHANNEL, node);
                    return null;
                });
            } catch (RuntimeException e) {
                log.warn("{}: not shared with the other nodes: {}", what, e.getMessage());
            }
        });
    }

    private void event(Connection c, String kind, InetAddress address, String forward, Instant until, String note)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO policy_events (at, node, kind, address, forward, until, note) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, System.currentTimeMillis());
            ps.setString(2, node);
            ps.setString(3, kind);
            ps.setString(4, address.getHostAddress());
            ps.setString(5, forward);
            if (until == null) {
                ps.setNull(6, Types.BIGINT);
            } else {
                ps.setLong(6, until.toEpochMilli());
            }
            ps.setString(7, note);
            ps.executeUpdate();
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (feed != null) {
            feed.close();
        }
    }
}
