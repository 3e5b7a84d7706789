package dev.portgate.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;

/**
 * The embedded SQLite database under the data folder: WAL journal with full sync (a change that was
 * acknowledged survives SIGKILL and power loss), schema by Flyway migrations, one connection that
 * the store classes share under its lock (SQLite has one writer anyway).
 */
public final class Database implements AutoCloseable {

    private final Connection connection;

    public Database(Path dataFolder) throws SQLException {
        Path file = dataFolder.resolve("portgate.db");
        String url = "jdbc:sqlite:" + file;
        boolean fresh = !Files.exists(file);
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.enforceForeignKeys(true);
        config.setBusyTimeout(5000);
        this.connection = DriverManager.getConnection(url, config.toProperties());
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
        }
        if (fresh) {
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException | IOException ignored) {
                // not POSIX: the folder's own permissions protect it
            }
        }
    }

    /** Runs {@code work} in one transaction; rolls back on any exception. */
    public synchronized <T> T transaction(SqlWork<T> work) {
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Runs a read (or a single statement) outside an explicit transaction. */
    public synchronized <T> T read(SqlWork<T> work) {
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
    }

    /** A unit of JDBC work. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** The store failed (disk full, file damaged …); the change it carried did not happen. */
    public static final class StoreException extends RuntimeException {
        StoreException(SQLException cause) {
            super("store: " + cause.getMessage(), cause);
        }
    }
}
