package dev.portgate.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;

/**
 * The embedded SQLite database under the data folder: WAL journal with full sync (a change that was
 * acknowledged survives SIGKILL and power loss), schema by Flyway migrations, one connection that
 * the store classes share under its lock (SQLite has one writer anyway).
 */
public final class SqliteDatabase implements Database {

    /** The newest migration under db/migration (DatabaseTest checks that it is). */
    static final int SCHEMA_VERSION = 5;

    private final Connection connection;

    public SqliteDatabase(Path dataFolder) throws SQLException {
        Path file = dataFolder.resolve("portgate.db");
        String url = "jdbc:sqlite:" + file;
        boolean fresh = !Files.exists(file);
        if (fresh || !current(url)) {
            Flyway.configure()
                    .dataSource(url, null, null)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
        }
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

    /**
     * Whether the store already has every migration, none failed: then Flyway need not start — it loads a thousand
     * classes and scans the jar, a second of every start on a small box, to find that nothing is to be done.
     */
    private static boolean current(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT max(CAST(version AS INTEGER)), sum(success = 0)"
                        + " FROM flyway_schema_history WHERE version IS NOT NULL")) {
            return r.next() && r.getInt(1) == SCHEMA_VERSION && r.getInt(2) == 0;
        } catch (SQLException e) {
            return false; // no history table: Flyway decides
        }
    }

    /**
     * When not {@code durable}, the commit is not flushed to disk on its own (SQLite's synchronous=NORMAL in
     * WAL mode): it survives a crash of the process but may be lost, whole, with the last moments before a
     * power cut. For leases, which devices renew anyway: their commits would otherwise each wait for the disk.
     */
    @Override
    public synchronized <T> T transaction(boolean durable, SqlWork<T> work) {
        try {
            if (!durable) {
                try (Statement s = connection.createStatement()) {
                    s.execute("PRAGMA synchronous=NORMAL");
                }
            }
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
        try {
            return Transactions.run(connection, work, SqliteDatabase::describe);
        } finally {
            if (!durable) {
                try (Statement s = connection.createStatement()) {
                    s.execute("PRAGMA synchronous=FULL");
                } catch (SQLException e) {
                    // the next durable commit would fail the same way, and say so
                }
            }
        }
    }

    @Override
    public synchronized <T> T read(SqlWork<T> work) {
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_IOERR = 10;
    private static final int SQLITE_FULL = 13;

    /** Names the cause a user can act on; SQLite's primary result code is the low byte of its error code. */
    static String describe(SQLException e) {
        return switch (e.getErrorCode() & 0xff) {
            case SQLITE_READONLY -> "the store is read-only: " + e.getMessage()
                    + " — check the data folder's file system and permissions";
            case SQLITE_FULL -> "the disk is full: " + e.getMessage() + " — free some space on the data folder's disk";
            case SQLITE_IOERR -> "the store's disk failed: " + e.getMessage();
            default -> "store: " + e.getMessage();
        };
    }
}
