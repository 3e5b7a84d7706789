package dev.portgate.store;

import dev.portgate.forward.Addresses;
import dev.portgate.policy.Bans;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Bans in the store, so that a restart does not lift them. */
public final class BanStore implements Bans.Store {

    private final Database db;

    public BanStore(Database db) {
        this.db = db;
    }

    @Override
    public List<Bans.Ban> load(Instant now) {
        return db.read(c -> live(c, now));
    }

    /** The bans that have not ended, from the bans table (the shared store's too). */
    static List<Bans.Ban> live(Connection c, Instant now) throws SQLException {
        List<Bans.Ban> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT address, until, reason FROM bans WHERE until > ?")) {
            ps.setLong(1, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    InetAddress a = Addresses.literal(rs.getString(1));
                    if (a != null) {
                        out.add(new Bans.Ban(a, Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3)));
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void put(Bans.Ban ban) {
        db.transaction(c -> {
            write(c, ban);
            return null;
        });
    }

    /** Writes a ban (or its new end) and drops those that ended. */
    static void write(Connection c, Bans.Ban ban) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bans (address, until, reason) VALUES (?, ?, ?) "
                + "ON CONFLICT(address) DO UPDATE SET until = excluded.until, reason = excluded.reason")) {
            ps.setString(1, ban.source().getHostAddress());
            ps.setLong(2, ban.until().toEpochMilli());
            ps.setString(3, ban.reason());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM bans WHERE until < ?")) {
            ps.setLong(1, System.currentTimeMillis());
            ps.executeUpdate();
        }
    }

    @Override
    public void remove(InetAddress source) {
        db.transaction(c -> {
            lift(c, source);
            return null;
        });
    }

    static void lift(Connection c, InetAddress source) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM bans WHERE address = ?")) {
            ps.setString(1, source.getHostAddress());
            ps.executeUpdate();
        }
    }
}
