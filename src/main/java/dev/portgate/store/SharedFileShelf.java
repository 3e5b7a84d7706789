package dev.portgate.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * The cluster's shared files in PostgreSQL ({@code shared_files}), by the name of their folder in the data folder
 * and their own. A file pulled is written beside its old copy and moved over it, private to this user (keys are
 * among them); the store is trusted with them as it is with the users' password hashes.
 */
public final class SharedFileShelf implements FileShelf {

    /** The advisory lock space of shelf keys ("pgsf"). */
    private static final int LOCK_SPACE = 0x7067_7366;

    private final PostgresDatabase db;
    private final String node;

    public SharedFileShelf(PostgresDatabase db, String node) {
        this.db = db;
        this.node = node;
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public boolean pull(Path file) throws IOException {
        byte[] stored = db.read(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT content FROM shared_files WHERE area = ? AND name = ?")) {
                ps.setString(1, area(file));
                ps.setString(2, file.getFileName().toString());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
        });
        if (stored == null) {
            return false;
        }
        if (Files.exists(file) && Arrays.equals(Files.readAllBytes(file), stored)) {
            return true;
        }
        Files.createDirectories(file.getParent());
        Path fresh = file.resolveSibling(file.getFileName() + ".pulled");
        Files.deleteIfExists(fresh);
        Files.createFile(fresh, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(fresh, stored);
        Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    @Override
    public void push(Path file) throws IOException {
        byte[] content = Files.readAllBytes(file);
        db.transaction(true, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO shared_files (area, name, content, node, updated_at) VALUES (?, ?, ?, ?, ?)"
                            + " ON CONFLICT (area, name) DO UPDATE SET content = excluded.content,"
                            + " node = excluded.node, updated_at = excluded.updated_at")) {
                ps.setString(1, area(file));
                ps.setString(2, file.getFileName().toString());
                ps.setBytes(3, content);
                ps.setString(4, node);
                ps.setLong(5, System.currentTimeMillis());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void remove(Path file) throws IOException {
        db.transaction(true, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM shared_files WHERE area = ? AND name = ?")) {
                ps.setString(1, area(file));
                ps.setString(2, file.getFileName().toString());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean exclusively(String key, Work work) throws Exception {
        try (Connection session = db.session()) {
            if (!lock(session, "pg_try_advisory_lock", key)) {
                return false;
            }
            try {
                work.run();
                return true;
            } finally {
                lock(session, "pg_advisory_unlock", key);
            }
        } catch (SQLException e) {
            throw new IOException(PostgresDatabase.describe(e), e);
        }
    }

    private static boolean lock(Connection c, String function, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + function + "(?, ?)")) {
            ps.setInt(1, LOCK_SPACE);
            ps.setInt(2, key.hashCode());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static String area(Path file) {
        Path parent = file.getParent();
        return parent == null ? "" : parent.getFileName().toString();
    }
}
