package dev.portgate.store;

import dev.portgate.policy.PasswordHash;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Console users (with hashed passwords) and API tokens (stored as SHA-256 of the secret). Each answer that lets
 * someone in is remembered: while a shared store is unreachable, a user or token that worked before still
 * does, so the console can be read and says what is wrong; a change made meanwhile elsewhere is seen when the
 * store is back.
 */
public final class Accounts {

    public static final String ADMIN = "admin";

    private final Database db;
    private final Map<String, Long> lastUseNoted = new ConcurrentHashMap<>();
    private final Map<String, String> knownHashes = new ConcurrentHashMap<>();
    private final Map<String, String> knownRoles = new ConcurrentHashMap<>();
    private final Map<String, String> knownTokens = new ConcurrentHashMap<>();

    public Accounts(Database db) {
        this.db = db;
    }

    /** A token as listed: never the secret, which is shown once when made. */
    public record Token(String id, String name, Instant created, Instant lastUsed) {}

    public boolean hasUser(String name) {
        return passwordHash(name).isPresent();
    }

    public Optional<String> passwordHash(String name) {
        return remembered(
                knownHashes,
                name,
                () -> db.read(c -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT password_hash FROM users WHERE name = ?")) {
                        ps.setString(1, name);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                        }
                    }
                }));
    }

    /**
     * The store's answer, remembered (or forgotten, when it is "none"); the last answer when the store fails, or
     * the failure when there is none.
     */
    private static Optional<String> remembered(
            Map<String, String> known, String key, Supplier<Optional<String>> fromStore) {
        try {
            Optional<String> v = fromStore.get();
            if (v.isPresent()) {
                known.put(key, v.get());
            } else {
                known.remove(key);
            }
            return v;
        } catch (Database.StoreException e) {
            String last = known.get(key);
            if (last == null) {
                throw e;
            }
            return Optional.of(last);
        }
    }

    /** Console users who may only open doors (access: login), not change anything. */
    public static final String DOOR = "door";

    /** A user and its role ({@value #ADMIN} or {@value #DOOR}). */
    public record User(String name, String role) {}

    public Optional<String> role(String name) {
        return remembered(
                knownRoles,
                name,
                () -> db.read(c -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT role FROM users WHERE name = ?")) {
                        ps.setString(1, name);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                        }
                    }
                }));
    }

    public List<User> users() {
        return db.read(c -> {
            List<User> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name, role FROM users ORDER BY created_at");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new User(rs.getString(1), rs.getString(2)));
                }
            }
            return out;
        });
    }

    public boolean deleteUser(String name) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE name = ? AND role <> ?")) {
                ps.setString(1, name);
                ps.setString(2, ADMIN);
                return ps.executeUpdate() > 0;
            }
        });
    }

    public void setPassword(String name, String role, String hash) {
        long now = System.currentTimeMillis();
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO users (name, password_hash, role, created_at, updated_at) "
                            + "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at")) {
                ps.setString(1, name);
                ps.setString(2, hash);
                ps.setString(3, role);
                ps.setLong(4, now);
                ps.setLong(5, now);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Stores a token under {@code name}; false if the name is taken. */
    public boolean addToken(String name, String secret) {
        return db.transaction(c -> {
            try (PreparedStatement check = c.prepareStatement("SELECT 1 FROM api_tokens WHERE name = ?")) {
                check.setString(1, name);
                try (ResultSet rs = check.executeQuery()) {
                    if (rs.next()) {
                        return false;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, PasswordHash.randomSecret(6));
                ps.setString(2, name);
                ps.setString(3, PasswordHash.sha256(secret));
                ps.setLong(4, System.currentTimeMillis());
                ps.executeUpdate();
            }
            return true;
        });
    }

    /** Replaces the secret of token {@code name} (made if absent) — the data folder's own token at start. */
    public void putToken(String name, String secret) {
        db.transaction(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM api_tokens WHERE name = ?")) {
                del.setString(1, name);
                del.executeUpdate();
            }
            return null;
        });
        addToken(name, secret);
    }

    /** The name of the token with this secret, if any (and notes its use). */
    public Optional<String> tokenName(String secret) {
        String hash = PasswordHash.sha256(secret);
        return remembered(knownTokens, hash, () -> lookUpToken(hash));
    }

    private Optional<String> lookUpToken(String hash) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM api_tokens WHERE token_hash = ?")) {
                ps.setString(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<String>empty();
                    }
                    String name = rs.getString(1);
                    long now = System.currentTimeMillis();
                    Long noted = lastUseNoted.get(hash);
                    // "Last used" to the minute: a synced write per API call would make every call wait for the disk.
                    if (noted == null || now - noted > 60_000) {
                        lastUseNoted.put(hash, now);
                        try (PreparedStatement up =
                                c.prepareStatement("UPDATE api_tokens SET last_used = ? WHERE token_hash = ?")) {
                            up.setLong(1, now);
                            up.setString(2, hash);
                            up.executeUpdate();
                        }
                    }
                    return Optional.of(name);
                }
            }
        });
    }

    public List<Token> tokens() {
        return db.read(c -> {
            List<Token> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT id, name, created_at, last_used FROM api_tokens ORDER BY created_at");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long used = rs.getLong(4);
                    // Asked right after reading last_used: wasNull() speaks of the last column read.
                    Instant lastUsed = rs.wasNull() ? null : Instant.ofEpochMilli(used);
                    out.add(new Token(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), lastUsed));
                }
            }
            return out;
        });
    }

    public boolean deleteToken(String name) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM api_tokens WHERE name = ?")) {
                ps.setString(1, name);
                return ps.executeUpdate() > 0;
            }
        });
    }
}
