package dev.portgate.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portgate.config.ForwardJson;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.policy.Bans;
import dev.portgate.policy.PasswordHash;
import dev.portgate.rules.Actor;
import dev.portgate.rules.RuleService;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Postgres;
import dev.portgate.testing.Processes;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portgate store copy}: a single gateway's whole state arrives in an empty PostgreSQL, and only there. */
class StoreCopyIT {

    private static final Actor ADMIN = new Actor("admin", "127.0.0.1");

    @TempDir
    Path dir;

    @Test
    void everyForwardUserTokenBanTotalAndAuditEntryArrives() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Instant until = Instant.now().plus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
        List<Forward> made;
        try (SqliteDatabase db = new SqliteDatabase(data)) {
            AuditLog audit = new AuditLog(db);
            RuleService rules = new RuleService(new SqliteRuleStore(db, audit));
            rules.create(forward("{\"name\":\"web\",\"listen\":\"0.0.0.0:8080\",\"target\":\"127.0.1.5:80\"}"), ADMIN);
            rules.create(
                    forward("{\"name\":\"cam\",\"listen\":\"0.0.0.0:8554\",\"target\":\"127.0.1.9:554\","
                            + "\"expires\":\"" + until + "\",\"nodes\":[\"edge-1\"],\"description\":\"the door\"}"),
                    ADMIN);
            made = rules.forwards();
            Accounts accounts = new Accounts(db);
            accounts.setPassword("admin", "admin", PasswordHash.hash("a-long-password".toCharArray()));
            accounts.addToken("ci", "pgt_copied-secret");
            Bans.Ban ban = new Bans.Ban(InetAddress.getByName("192.0.2.66"), until, "5 failed logins");
            new BanStore(db).put(ban);
            audit.banned(ban);
            new TrafficTotals(db, "").save(Map.of("web", new TrafficTotals.Total(1000, 2000, until)), List.of());
            audit.record(ADMIN, "login", "admin", "console");
        }

        try (Postgres pg = Postgres.start()) {
            Processes.Result copy = JarProcess.run(
                    dir,
                    "store",
                    "copy",
                    "--from",
                    data.toString(),
                    "--to",
                    pg.url(),
                    "--password-file",
                    pg.passwordFile().toString(),
                    "--node",
                    "edge-1");
            assertThat(copy.exit()).as(copy.stderr()).isZero();
            assertThat(copy.out())
                    .contains("copied 2 forwards, 1 users, 1 api tokens, 1 bans, 1 traffic totals, 4 audit entries");

            try (PostgresDatabase db = new PostgresDatabase(new StoreSettings(pg.url(), pg.passwordFile()))) {
                RuleService shared = new RuleService(new SharedRuleStore(db, new AuditLog(db, "edge-2"), "edge-2"));
                assertThat(shared.forwards()).containsExactlyElementsOf(made);
                Accounts accounts = new Accounts(db);
                assertThat(PasswordHash.verify(
                                "a-long-password".toCharArray(),
                                accounts.passwordHash("admin").orElseThrow()))
                        .isTrue();
                assertThat(accounts.tokenName("pgt_copied-secret")).contains("ci");
                assertThat(new SharedPolicy(db, "edge-2").load(Instant.now()))
                        .extracting(b -> b.source().getHostAddress() + " " + b.reason())
                        .containsExactly("192.0.2.66 5 failed logins");
                assertThat(new TrafficTotals(db, "edge-1").load())
                        .containsEntry("web", new TrafficTotals.Total(1000, 2000, until));
                List<AuditEntry> log = new AuditLog(db).list(10, 0);
                assertThat(log)
                        .extracting(e -> e.action() + " " + e.subject() + " @" + e.node())
                        .containsExactly(
                                "login admin @edge-1",
                                "ban 192.0.2.66 @edge-1",
                                "forward.add cam @edge-1",
                                "forward.add web @edge-1");
                // An edit made after the copy is numbered after it and audited under the copied entries.
                assertThat(shared.delete("web", Origin.Kind.API, ADMIN).toString())
                        .startsWith("Applied");
                assertThat(new AuditLog(db).list(1, 0).get(0).action()).isEqualTo("forward.delete");
            }

            // A lost admin password, in a cluster: set once in the shared store, through any node's config.
            Path config = dir.resolve("node.yaml");
            Files.writeString(config, "store:\n  url: " + pg.url() + "\n  password-file: " + pg.passwordFile() + "\n");
            Path newPassword = dir.resolve("new-password");
            Files.writeString(newPassword, "a-new-long-password\n");
            Processes.Result reset = JarProcess.run(
                    dir,
                    "admin",
                    "reset-password",
                    "--config",
                    config.toString(),
                    "--password-file",
                    newPassword.toString());
            assertThat(reset.exit()).as(reset.stderr()).isZero();
            try (PostgresDatabase db = new PostgresDatabase(new StoreSettings(pg.url(), pg.passwordFile()))) {
                assertThat(PasswordHash.verify(
                                "a-new-long-password".toCharArray(),
                                new Accounts(db).passwordHash("admin").orElseThrow()))
                        .isTrue();
                assertThat(new AuditLog(db).list(1, 0).get(0).action()).isEqualTo("admin.reset-password");
            }

            Processes.Result again = JarProcess.run(
                    dir,
                    "store",
                    "copy",
                    "--from",
                    data.toString(),
                    "--to",
                    pg.url(),
                    "--password-file",
                    pg.passwordFile().toString());
            assertThat(again.exit()).isNotZero();
            assertThat(again.stderr())
                    .contains("the target store already holds 1 forward(s) and 1 user(s)")
                    .contains("nothing was copied");
        }
    }

    private static Forward forward(String json) throws Exception {
        return ForwardJson.decodeStored(json, new Origin(Origin.Kind.API, "admin"));
    }
}
