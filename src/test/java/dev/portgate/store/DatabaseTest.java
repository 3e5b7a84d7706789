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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store that cannot write says why — the real cause, not what failed after it — and keeps what it had. */
class DatabaseTest {

    @TempDir
    Path dir;

    @Test
    void aFullDiskIsReportedAsAFullDiskAndTheStoreStillReads() throws Exception {
        try (Database db = new Database(dir)) {
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
        assertThat(Database.SCHEMA_VERSION).isEqualTo(newest);
    }

    @Test
    void aStoreOneMigrationBehindIsMigratedOnTheNextStart() throws Exception {
        new Database(dir).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("portgate.db"));
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE forward_traffic");
            s.execute("DELETE FROM flyway_schema_history WHERE version = '" + Database.SCHEMA_VERSION + "'");
        }
        try (Database db = new Database(dir)) {
            int tables = db.read(c -> {
                try (Statement s = c.createStatement()) {
                    var r = s.executeQuery(
                            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'forward_traffic'");
                    r.next();
                    return r.getInt(1);
                }
            });
            assertThat(tables).isEqualTo(1);
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
