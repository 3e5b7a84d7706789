package dev.portgate.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where the stores keep their tables: SQLite in the data folder (one node) or PostgreSQL (several). The store
 * classes write the SQL both understand, so they do not know which one they run on.
 */
public sealed interface Database extends AutoCloseable permits SqliteDatabase, PostgresDatabase {

    /** Runs {@code work} in one durable transaction; rolls back on any exception. */
    default <T> T transaction(SqlWork<T> work) {
        return transaction(true, work);
    }

    /**
     * Runs {@code work} in one transaction; rolls back on any exception. The first failure is the one reported:
     * a rollback that fails after it is attached to it, never thrown over it. A commit that is not
     * {@code durable} may be lost with the last moments before a power cut (leases, which devices renew).
     */
    <T> T transaction(boolean durable, SqlWork<T> work);

    /** Runs a read (or a single statement) outside an explicit transaction. */
    <T> T read(SqlWork<T> work);

    @Override
    void close();

    /** A unit of JDBC work. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** The store failed (disk full, database unreachable …); the change it carried did not happen. */
    final class StoreException extends RuntimeException {

        public StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
