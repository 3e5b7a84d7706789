package dev.portgate.store;

import dev.portgate.store.Database.SqlWork;
import dev.portgate.store.Database.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;

/** One transaction on a connection, the same way on either database. */
final class Transactions {

    private Transactions() {}

    /**
     * Runs {@code work} with auto-commit off and commits; rolls back on any exception. The first failure is the
     * one reported: a rollback or reset that fails after it (as they do on a full disk or a lost connection) is
     * attached to it, never thrown over it.
     */
    static <T> T run(Connection connection, SqlWork<T> work, Function<SQLException, String> describe) {
        try {
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw new StoreException(describe.apply(e), e);
        }
        try {
            T result = work.run(connection);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e instanceof SQLException sql ? new StoreException(describe.apply(sql), sql) : (RuntimeException) e;
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException reset) {
                // "no transaction is active" after a failed commit: the real cause is already on its way
            }
        }
    }
}
