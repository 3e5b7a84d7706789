package dev.portgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store that cannot write says why — the real cause, not what failed after it — and keeps what it had. */
class DatabaseTest {

    @TempDir
    Path dir;

    @Test
    void aFullDiskIsReportedAsAFullDiskAndTheStoreStillReads() throws Exception {
        try (Database db = new SqliteDatabase(dir)) {
            db.read(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE filler (b BLOB)");
                    s.execute("INSERT INTO filler VALUES (zeroblob(1000))");
                    // The file may grow no further: SQLite answers SQLITE_FULL, as on a full disk.
                    s.execute("PRAGMA max_page_count = " + pages(c));
                }
                return null;
            });
            assertThatThrownBy(() -> db.transaction(c -> {
                        try (PreparedStatement p = c.prepareStatement("INSERT INTO filler VALUES (zeroblob(?))")) {
                            for (int i = 0; i < 200; i++) {
                                p.setInt(1, 64 * 1024);
                                p.executeUpdate();
                            }
                        }
                        return null;
                    }))
                    .isInstanceOf(Database.StoreException.class)
                    .hasMessageStartingWith("the disk is full: ")
                    .hasMessageNotContaining("no transaction is active");
            // Nothing of the failed transaction is there; what was committed before is.
            assertThat((int) db.read(c -> {
                        try (Statement s = c.createStatement()) {
                            var r = s.executeQuery("SELECT count(*) FROM filler");
                            r.next();
                            return r.getInt(1);
                        }
                    }))
                    .isEqualTo(1);
        }
    }

    @Test
    void theSchemaVersionThatLetsAStartSkipFlywayIsTheNewestMigration() throws Exception {
        int newest;
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            newest = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
                    .max()
                    .orElseThrow();
        }
        assertThat(SqliteDatabase.SCHEMA_VERSION).isEqualTo(newest);
    }

    @Test
    void aStoreOneMigrationBehindIsMigratedOnTheNextStartAndKeepsItsRows() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("portgate.db");
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/migration")
                .target(String.valueOf(SqliteDatabase.SCHEMA_VERSION - 1))
                .load()
                .migrate();
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO forward_traffic (name, bytes_in, bytes_out, since) VALUES ('web', 10, 20, 30)");
            s.execute("INSERT INTO audit (at, actor, action) VALUES (1, 'admin', 'login')");
        }
        try (Database db = new SqliteDatabase(dir)) {
            assertThat(new TrafficTotals(db, "").load())
                    .containsEntry("web", new TrafficTotals.Total(10, 20, Instant.ofEpochMilli(30)));
            assertThat(new AuditLog(db).list(10, 0))
                    .extracting(e -> e.actor() + "/" + e.action() + "/" + e.node())
                    .containsExactly("admin/login/");
        }
    }

    private static long pages(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            var r = s.executeQuery("PRAGMA page_count");
            r.next();
            return r.getLong(1);
        }
    }
}
