package dev.portgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.portgate.config.ForwardJson;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.policy.Bans;
import dev.portgate.policy.Doors;
import dev.portgate.rules.Actor;
import dev.portgate.rules.ChangeResult;
import dev.portgate.rules.RuleService;
import dev.portgate.testing.Postgres;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes sharing one real PostgreSQL, in one process: each a RuleService on its own SharedRuleStore and pool, as
 * each gateway has. What one node changes, the others follow; two edits of one forward cannot both win; the
 * database going away refuses changes by name and, once back, the nodes catch up.
 */
class SharedStoreIT {

    private static final Duration SOON = Duration.ofSeconds(10);
    private static final Actor ADMIN = new Actor("admin", "127.0.0.1");

    private Postgres pg;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void database() throws Exception {
        pg = Postgres.start();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        pg.close();
    }

    private StoreSettings settings() {
        return new StoreSettings(pg.url(), pg.passwordFile());
    }

    /** A node's rules on the shared store; following the others' changes when asked. */
    private RuleService node(String name, boolean follow) throws Exception {
        PostgresDatabase db = new PostgresDatabase(settings());
        open.add(db);
        RuleService rules = new RuleService(new SharedRuleStore(db, new AuditLog(db, name), name));
        open.add(rules);
        if (follow) {
            rules.followPeers();
        }
        return rules;
    }

    private static Forward forward(String name, int port, String target) throws Exception {
        return ForwardJson.decodeStored(
                "{\"name\":\"" + name + "\",\"listen\":\"127.0.0.1:" + port + "\",\"target\":\"" + target + "\"}",
                new Origin(Origin.Kind.API, "admin"));
    }

    @Test
    void aForwardMadeOnOneNodeReachesTheOthersAndAnEditOrRemovalFollows() throws Exception {
        RuleService a = node("edge-1", true);
        RuleService b = node("edge-2", true);
        RuleService c = node("edge-3", true);

        assertThat(a.create(forward("web", 18080, "127.0.1.5:80"), ADMIN)).isInstanceOf(ChangeResult.Applied.class);
        await().atMost(SOON)
                .until(() -> b.get("web").isPresent() && c.get("web").isPresent());
        assertThat(b.get("web").orElseThrow().toString())
                .isEqualTo(a.get("web").orElseThrow().toString());

        assertThat(c.update("web", forward("web", 18080, "127.0.1.6:80"), ADMIN))
                .isInstanceOf(ChangeResult.Applied.class);
        await().atMost(SOON)
                .until(() -> a.get("web").orElseThrow().toString().contains("127.0.1.6:80")
                        && b.get("web").orElseThrow().toString().contains("127.0.1.6:80"));

        assertThat(b.delete("web", Origin.Kind.API, ADMIN)).isInstanceOf(ChangeResult.Applied.class);
        await().atMost(SOON).until(() -> a.get("web").isEmpty() && c.get("web").isEmpty());

        // A node started later reads the state as it is, and the audit log names the node of each entry.
        RuleService late = node("edge-4", false);
        assertThat(late.get("web")).isEmpty();
        PostgresDatabase db = new PostgresDatabase(settings());
        open.add(db);
        assertThat(new AuditLog(db).list(10, 0))
                .extracting(e -> e.action() + "@" + e.node())
                .containsExactly("forward.delete@edge-2", "forward.edit@edge-3", "forward.add@edge-1");
    }

    @Test
    void ofTwoEditsBasedOnTheSameVersionTheSecondIsRefusedWithTheFirstNamed() throws Exception {
        RuleService a = node("edge-1", true);
        // edge-2 does not follow: it still has the version it read, as a node has between a change and its notice.
        a.create(forward("cam", 18554, "127.0.1.9:554"), ADMIN);
        RuleService b = node("edge-2", false);
        assertThat(b.get("cam")).isPresent();

        assertThat(a.update("cam", forward("cam", 18554, "127.0.1.10:554"), ADMIN))
                .isInstanceOf(ChangeResult.Applied.class);
        ChangeResult second = b.update("cam", forward("cam", 18554, "127.0.1.11:554"), ADMIN);

        assertThat(second).isInstanceOf(ChangeResult.Rejected.class);
        ChangeResult.Rejected refused = (ChangeResult.Rejected) second;
        assertThat(refused.why()).isEqualTo(ChangeResult.Why.CONFLICT);
        assertThat(refused.problems().get(0).toString())
                .contains("forward \"cam\" was changed on node edge-1 by admin")
                .contains("reload it and make your change again");
        // The first edit stands, in the store and on the node that made it.
        assertThat(node("edge-3", false).get("cam").orElseThrow().toString()).contains("127.0.1.10:554");
        assertThat(b.delete("cam", Origin.Kind.API, ADMIN)).isInstanceOf(ChangeResult.Rejected.class);
        assertThat(b.create(forward("cam", 18555, "127.0.1.12:554"), ADMIN)).isInstanceOf(ChangeResult.Rejected.class);
    }

    @Test
    void whileTheDatabaseIsDownChangesAreRefusedByNameAndAfterwardsTheNodesCatchUp() throws Exception {
        RuleService a = node("edge-1", true);
        RuleService b = node("edge-2", true);
        a.create(forward("ssh", 18022, "127.0.1.2:22"), ADMIN);
        await().atMost(SOON).until(() -> b.get("ssh").isPresent());

        pg.stop();
        assertThatThrownBy(() -> a.create(forward("late", 18023, "127.0.1.3:22"), ADMIN))
                .isInstanceOf(Database.StoreException.class)
                .hasMessageStartingWith("the store is unavailable: ");
        // What each node has stays as it was.
        assertThat(a.get("ssh")).isPresent();
        assertThat(b.get("ssh")).isPresent();
        assertThat(a.get("late")).isEmpty();

        pg.restart();
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> a.create(forward("late", 18023, "127.0.1.3:22"), ADMIN) instanceof ChangeResult.Applied);
        await().atMost(Duration.ofSeconds(30)).until(() -> b.get("late").isPresent());
    }

    @Test
    void aNodeThatMissedChangesTheLogNoLongerHoldsReadsEverythingAgain() throws Exception {
        RuleService a = node("edge-1", true);
        a.create(forward("x", 18101, "127.0.1.1:1"), ADMIN);
        a.create(forward("y", 18102, "127.0.1.2:2"), ADMIN);
        RuleService b = node("edge-2", false); // away: it read x and y, then hears nothing
        assertThat(b.get("x")).isPresent();

        a.delete("x", Origin.Kind.API, ADMIN);
        a.update("y", forward("y", 18102, "127.0.1.22:2"), ADMIN);
        a.create(forward("z", 18103, "127.0.1.3:3"), ADMIN);
        // The leader prunes what is older than a day; here everything but the newest change.
        PostgresDatabase db = new PostgresDatabase(settings());
        open.add(db);
        assertThat(new SharedRuleStore(db, new AuditLog(db), "edge-9")
                        .prune(Instant.now().plusSeconds(60)))
                .isEqualTo(4);

        b.followPeers();
        await().atMost(SOON)
                .until(() -> b.get("x").isEmpty()
                        && b.get("z").isPresent()
                        && b.get("y").orElseThrow().toString().contains("127.0.1.22:2"));
        // And it follows on from there as usual.
        a.create(forward("w", 18104, "127.0.1.4:4"), ADMIN);
        await().atMost(SOON).until(() -> b.get("w").isPresent());
    }

    @Test
    void aBanAndADoorMadeOnOneNodeHoldOnTheOthersAndSoDoTheirEnds() throws Exception {
        Bans bansA = new Bans(Clock.systemUTC(), ban -> {});
        Doors doorsA = new Doors(Clock.systemUTC());
        Bans bansB = new Bans(Clock.systemUTC(), ban -> {});
        Doors doorsB = new Doors(Clock.systemUTC());
        policy("edge-1", bansA, doorsA);
        policy("edge-2", bansB, doorsB);
        bansA.settings(new Bans.Settings(2, Duration.ofMinutes(1), Duration.ofHours(1)));
        InetAddress attacker = InetAddress.getByName("192.0.2.7");
        InetAddress friend = InetAddress.getByName("2001:db8::5");

        bansA.failed(attacker, "ssh");
        bansA.failed(attacker, "ssh");
        doorsA.open("web", friend, Duration.ofMinutes(30), "login alice");
        await().atMost(SOON).until(() -> bansB.isBanned(attacker) && doorsB.isOpen("web", friend));
        assertThat(bansB.list().get(0).reason()).contains("2 failed authentications");
        assertThat(doorsB.list().get(0).by()).isEqualTo("login alice");

        // A node that starts now finds both in the store.
        Bans bansC = new Bans(Clock.systemUTC(), ban -> {});
        Doors doorsC = new Doors(Clock.systemUTC());
        policy("edge-3", bansC, doorsC);
        assertThat(bansC.isBanned(attacker)).isTrue();
        assertThat(doorsC.isOpen("web", friend)).isTrue();

        assertThat(bansB.unban(attacker)).isTrue();
        doorsB.close("web", friend);
        await().atMost(SOON)
                .until(() -> !bansA.isBanned(attacker)
                        && !doorsA.isOpen("web", friend)
                        && !bansC.isBanned(attacker)
                        && !doorsC.isOpen("web", friend));
    }

    private void policy(String node, Bans bans, Doors doors) throws Exception {
        PostgresDatabase db = new PostgresDatabase(settings());
        open.add(db);
        SharedPolicy shared = new SharedPolicy(db, node);
        bans.store(shared);
        doors.share(shared);
        open.add(shared.follow(bans, doors));
    }

    @Test
    void aNodeNameIsTakenOnceAndTheTimedJobsMoveWhenTheirNodeGoes() throws Exception {
        NodeRegistry one = registry("edge-1");
        NodeRegistry two = registry("edge-2");
        await().atMost(SOON).until(() -> one.leader() || two.leader());
        assertThat(one.leader() && two.leader()).isFalse();
        assertThat(one.nodes())
                .extracting(n -> n.name() + (n.up() ? " up" : " down") + (n.self() ? " (self)" : ""))
                .containsExactly("edge-1 up (self)", "edge-2 up");

        assertThatThrownBy(() -> registry("edge-1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("node name \"edge-1\" is taken by a node that is running");

        NodeRegistry leader = one.leader() ? one : two;
        NodeRegistry other = leader == one ? two : one;
        leader.close();
        await().atMost(SOON).until(other::leader);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> other.nodes().stream().anyMatch(n -> n.name().equals(leader.name()) && !n.up()));
        // Its name is free again: a node that restarts under it is let in.
        NodeRegistry again = registry(leader.name());
        assertThat(again.nodes().get(0).name()).isEqualTo(leader.name());
    }

    @Test
    void aFileOneNodePutsOnTheShelfReachesTheOthersAndOneNodeAtATimeHoldsAKey(@TempDir Path tmp) throws Exception {
        PostgresDatabase db1 = new PostgresDatabase(settings());
        PostgresDatabase db2 = new PostgresDatabase(settings());
        open.add(db1);
        open.add(db2);
        FileShelf one = new SharedFileShelf(db1, "edge-1");
        FileShelf two = new SharedFileShelf(db2, "edge-2");
        Path mine = tmp.resolve("edge-1").resolve("acme").resolve("account.key.pem");
        Path theirs = tmp.resolve("edge-2").resolve("acme").resolve("account.key.pem");
        Files.createDirectories(mine.getParent());
        Files.writeString(mine, "secret one");

        assertThat(two.pull(theirs)).isFalse();
        assertThat(theirs).doesNotExist();
        one.push(mine);
        assertThat(two.pull(theirs)).isTrue();
        assertThat(theirs).hasContent("secret one");
        assertThat(Files.getPosixFilePermissions(theirs)).hasSize(2); // owner read and write only
        Files.writeString(mine, "secret two");
        one.push(mine);
        two.pull(theirs);
        assertThat(theirs).hasContent("secret two");
        // Taken out of the store, it is there no more for the others.
        one.remove(mine);
        assertThat(two.pull(theirs)).isFalse();

        // While one node holds a key, the other's work under it does not run; after, it does.
        List<String> ran = new ArrayList<>();
        boolean outer = one.exclusively("acme app.test", () -> {
            ran.add("one");
            assertThat(two.exclusively("acme app.test", () -> ran.add("two, inside")))
                    .isFalse();
            assertThat(two.exclusively("acme other.test", () -> ran.add("two, another key")))
                    .isTrue();
        });
        assertThat(outer).isTrue();
        assertThat(two.exclusively("acme app.test", () -> ran.add("two, after")))
                .isTrue();
        assertThat(ran).containsExactly("one", "two, another key", "two, after");
    }

    private NodeRegistry registry(String name) throws Exception {
        PostgresDatabase db = new PostgresDatabase(settings());
        open.add(db);
        NodeRegistry r = new NodeRegistry(db, new NodeSettings(name, "", "tcp"), "test");
        r.start();
        open.add(r);
        return r;
    }
}
