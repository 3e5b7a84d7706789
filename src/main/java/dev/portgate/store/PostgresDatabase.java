package dev.portgate.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Properties;
import org.flywaydb.core.Flyway;

/**
 * The shared store on PostgreSQL: a small pool for the stores' statements, schema by Flyway migrations (which
 * lock among nodes that start together), and sessions of their own for what belongs to one session: LISTEN and
 * advisory locks.
 */
public final class PostgresDatabase implements Database {

    private final StoreSettings.Target target;
    private final Properties properties;
    private final HikariDataSource pool;

    public PostgresDatabase(StoreSettings settings) throws SQLException, IOException {
        this.target = StoreSettings.parse(settings.url());
        this.properties = properties(settings, target);
        HikariConfig config = new HikariConfig();
        config.setPoolName("store");
        config.setJdbcUrl(target.jdbcUrl());
        config.setDataSourceProperties(properties);
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        // A change waits at most this long for a connection when the database is gone, then says so.
        config.setConnectionTimeout(3_000);
        config.setValidationTimeout(2_000);
        try {
            this.pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new SQLException("cannot reach PostgreSQL at " + target + ": " + cause.getMessage(), e);
        }
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/postgresql")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new SQLException("cannot prepare the tables in " + target + ": " + e.getMessage(), e);
        }
    }

    private static Properties properties(StoreSettings settings, StoreSettings.Target target) throws IOException {
        Properties p = new Properties();
        if (target.user() != null) {
            p.setProperty("user", target.user());
        }
        String password = target.password();
        if (password == null && settings.passwordFile() != null) {
            password = Files.readString(settings.passwordFile()).strip();
        }
        if (password == null && System.getenv("PGPASSWORD") != null) {
            password = System.getenv("PGPASSWORD");
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", "portgate");
        p.setProperty("connectTimeout", "5");
        p.setProperty("loginTimeout", "5");
        // A database that vanished without a word (a cable, a firewall) is noticed rather than waited on forever.
        p.setProperty("socketTimeout", "30");
        p.setProperty("tcpKeepAlive", "true");
        return p;
    }

    /** A failure as a user reads it: "the store is unavailable: …" when the database cannot be reached. */
    static String target(Exception e) {
        return e instanceof SQLException sql ? describe(sql) : e.getMessage();
    }

    /** Where the store is, without the password: for messages. */
    public String target() {
        return target.toString();
    }

    @Override
    public <T> T transaction(boolean durable, SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return Transactions.run(c, work, PostgresDatabase::describe);
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    @Override
    public <T> T read(SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        }
    }

    /** A connection outside the pool, for a session's own state (LISTEN, advisory locks); the caller closes it. */
    public Connection session() throws SQLException {
        return DriverManager.getConnection(target.jdbcUrl(), properties);
    }

    @Override
    public void close() {
        pool.close();
    }

    /** NOTIFY {@code channel} with {@code payload}, delivered to the listeners when the transaction commits. */
    static void notify(Connection c, String channel, String payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, channel);
            ps.setString(2, payload);
            ps.execute();
        }
    }

    /**
     * An unreachable database is said as such: no connection in time, SQLSTATE class 08 (connection exception),
     * or 57P01–57P03 (the server is shutting down, crashed, or not yet accepting connections).
     */
    static String describe(SQLException e) {
        String state = e.getSQLState();
        if (e instanceof SQLTransientConnectionException
                || (state != null && (state.startsWith("08") || state.startsWith("57P0")))) {
            return "the store is unavailable: " + e.getMessage();
        }
        return "store: " + e.getMessage();
    }
}
