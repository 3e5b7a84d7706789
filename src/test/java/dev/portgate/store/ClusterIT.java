package dev.portgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.policy.PasswordHash;
import dev.portgate.testing.ClusterNet;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Postgres;
import dev.portgate.testing.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real gateways, each in its own network namespace, on one real PostgreSQL: what a user of a cluster sees.
 * A forward made on one node carries data on all; nodes: keeps one to its node; two edits at once never both
 * silently win; a ban follows the source everywhere; a database outage stops changes, not traffic; a node killed
 * is shown down while the others serve on and take over the timed jobs.
 */
class ClusterIT {

    private static final Duration SOON = Duration.ofSeconds(15);
    private static final int ECHO = 9000;
    private static final String HUB = ClusterNet.HUB;

    @TempDir
    Path tmp;

    @Test
    void threeNodesShareOneStateAndKeepServingThroughFailures() throws Exception {
        try (ClusterNet net = ClusterNet.create(3);
                Postgres pg = Postgres.start(net.hubPrefix(), HUB, 5432)) {
            net.startInHub("socat", "TCP-LISTEN:" + ECHO + ",bind=" + HUB + ",fork,reuseaddr", "EXEC:cat");
            String hash = PasswordHash.hash("right-password".toCharArray());
            List<Path> dirs = new ArrayList<>();
            List<JarProcess> gateways = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                Path dir = tmp.resolve("edge-" + i);
                dirs.add(dir);
                String config = "store:\n  url: " + pg.url() + "\n  password-file: " + pg.passwordFile() + "\n"
                        + "node:\n  name: edge-" + i + "\n  address: " + ClusterNet.address(i) + ":7444\n"
                        + "firewall:\n  ban: { after: 2, within: 1m, for: 1h }\n"
                        // A proxy of this node's own (config forwards stay with their file) to fail logins at.
                        + "forwards:\n"
                        // A config file's forwards are shared too; two files declaring one alike make one forward.
                        + "  - { name: cfg, listen: 0.0.0.0:8090, target: \"" + HUB + ":" + ECHO + "\" }\n"
                        + (i == 1
                                ? "  - name: proxy\n    kind: dynamic\n    listen: 0.0.0.0:1080\n"
                                        + "    users: [ { name: bob, password-hash: \"" + hash + "\" } ]\n"
                                        + "    permit-open: [ \"*:*\" ]\n"
                                : "");
                JarProcess gw = net.portgate(i, dir, config);
                gateways.add(gw);
                gw.awaitOutput("console and API on");
            }
            assertThat(gateways.get(0).output()).contains("first start: the console's admin password is");
            assertThat(gateways.get(1).output()).doesNotContain("first start: the console's admin password");

            // A forward made on node 1 carries data on every node.
            assertThat(net.api(1, dirs.get(0), "POST", "/api/v1/forwards", forward("web", 8080, "")))
                    .startsWith("201");
            for (int i = 1; i <= 3; i++) {
                String host = ClusterNet.address(i);
                await().atMost(SOON)
                        .until(() -> net.roundTrip(host, 8080, "hello " + host).equals("hello " + host));
            }

            // Every node's config file declares cfg alike: one forward, node 1's file's (it started first).
            await().atMost(SOON).until(() -> net.roundTrip(ClusterNet.address(3), 8090, "cfg")
                    .equals("cfg"));
            assertThat(net.api(3, dirs.get(2), "GET", "/api/v1/forwards/cfg", null))
                    .contains("\"origin-detail\":\"edge-1:");

            // nodes: keeps a forward to the nodes it names; the others show it and do not listen.
            assertThat(net.api(2, dirs.get(1), "POST", "/api/v1/forwards", forward("cam", 8554, "edge-1")))
                    .startsWith("201");
            await().atMost(SOON).until(() -> net.roundTrip(ClusterNet.address(1), 8554, "cam")
                    .equals("cam"));
            await().atMost(SOON).until(() -> net.api(3, dirs.get(2), "GET", "/api/v1/forwards/cam", null)
                    .contains("\"state\":\"elsewhere\""));
            assertThat(net.roundTrip(ClusterNet.address(3), 8554, "cam")).isEmpty();

            // Any node's console shows how a forward runs on each node.
            await().atMost(SOON).until(() -> {
                String cam = net.api(2, dirs.get(1), "GET", "/api/v1/forwards/cam", null);
                return cam.contains("{\"node\":\"edge-1\",\"state\":\"listening\",\"up\":true}")
                        && cam.contains("{\"node\":\"edge-3\",\"state\":\"elsewhere\",\"up\":true}");
            });

            // Every node sees every node.
            await().atMost(SOON).until(() -> {
                String nodes = net.api(3, dirs.get(2), "GET", "/api/v1/nodes", null);
                return nodes.startsWith("200") && count(nodes, "\"up\":true") == 3;
            });

            // Two edits of one forward at once, on two nodes: the nodes end up agreeing on one of them, and an edit
            // that lost says which node's change came first.
            CompletableFuture<String> two = CompletableFuture.supplyAsync(
                    () -> call(() -> net.api(2, dirs.get(1), "PUT", "/api/v1/forwards/web", edit("edited on 2"))));
            CompletableFuture<String> three = CompletableFuture.supplyAsync(
                    () -> call(() -> net.api(3, dirs.get(2), "PUT", "/api/v1/forwards/web", edit("edited on 3"))));
            List<String> answers = List.of(two.get(), three.get());
            assertThat(answers).anyMatch(a -> a.startsWith("200"));
            for (String a : answers) {
                if (!a.startsWith("200")) {
                    assertThat(a).startsWith("409").contains("was changed on node edge-");
                }
            }
            await().atMost(SOON).until(() -> {
                String one = description(net.api(1, dirs.get(0), "GET", "/api/v1/forwards/web", null));
                return !one.isEmpty()
                        && one.equals(description(net.api(2, dirs.get(1), "GET", "/api/v1/forwards/web", null)))
                        && one.equals(description(net.api(3, dirs.get(2), "GET", "/api/v1/forwards/web", null)));
            });

            // Two failed proxy logins on node 1 ban the source there — and on the other nodes.
            for (int k = 0; k < 2; k++) {
                Processes.run(
                        SOON,
                        net.inHub(
                                "curl",
                                "-sS",
                                "-m",
                                "5",
                                "--socks5-hostname",
                                "bob:wrong@" + ClusterNet.address(1) + ":1080",
                                "http://" + HUB + ":" + ECHO + "/"));
            }
            await().atMost(SOON).until(() -> net.api(3, dirs.get(2), "GET", "/api/v1/bans", null)
                    .contains(HUB));
            assertThat(net.roundTrip(ClusterNet.address(3), 8080, "banned?")).isEmpty();
            assertThat(net.api(2, dirs.get(1), "DELETE", "/api/v1/bans/" + HUB, null))
                    .startsWith("20");
            await().atMost(SOON).until(() -> net.roundTrip(ClusterNet.address(3), 8080, "free")
                    .equals("free"));

            // PostgreSQL away for ten seconds: traffic goes on, changes are refused by name, then all catch up.
            pg.stop();
            long down = System.nanoTime();
            assertThat(net.roundTrip(ClusterNet.address(2), 8080, "still here")).isEqualTo("still here");
            assertThat(net.api(2, dirs.get(1), "POST", "/api/v1/forwards", forward("late", 8081, "")))
                    .startsWith("503")
                    .contains("the store is unavailable");
            // The console still answers (the token worked before) and says what is wrong.
            await().atMost(SOON).until(() -> net.api(3, dirs.get(2), "GET", "/api/v1/stats", null)
                    .matches("(?s)^200 .*\"problem\":\"the store is unavailable: .*"));
            assertThat(net.api(3, dirs.get(2), "GET", "/api/v1/forwards/web", null))
                    .startsWith("200");
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() ->
                            System.nanoTime() - down >= Duration.ofSeconds(10).toNanos());
            assertThat(net.roundTrip(ClusterNet.address(3), 8080, "ten seconds on"))
                    .isEqualTo("ten seconds on");
            pg.restart();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> net.api(3, dirs.get(2), "POST", "/api/v1/forwards", forward("late", 8081, ""))
                            .startsWith("201"));
            await().atMost(SOON).until(() -> net.roundTrip(ClusterNet.address(2), 8081, "late")
                    .equals("late"));

            // Node 1 killed: the others serve on, show it down, and one of them takes over the timed jobs.
            Processes.run(
                    SOON,
                    List.of("kill", "-KILL", String.valueOf(gateways.get(0).pid())));
            assertThat(net.roundTrip(ClusterNet.address(2), 8080, "after the kill"))
                    .isEqualTo("after the kill");
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                String nodes = net.api(2, dirs.get(1), "GET", "/api/v1/nodes", null);
                return nodes.contains("\"name\":\"edge-1\",\"self\":false,\"up\":false");
            });
            assertThat(net.api(2, dirs.get(1), "POST", "/api/v1/forwards", forwardFor("brief", 8082, "3s")))
                    .startsWith("201");
            await().atMost(SOON).until(() -> net.roundTrip(ClusterNet.address(3), 8082, "brief")
                    .equals("brief"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> net.api(3, dirs.get(2), "GET", "/api/v1/forwards/brief", null)
                            .startsWith("404"));

            // A node that is up is not forgotten.
            assertThat(net.api(2, dirs.get(1), "DELETE", "/api/v1/nodes/edge-3", null))
                    .startsWith("409")
                    .contains("node \\\"edge-3\\\" is up");
            // Node 1, gone for good, is forgotten with the CLI on node 2: its file's proxy goes from every node, cfg
            // passes to node 2's file (which declares it alike) and carries data all along, and cam, made for node 1
            // alone in the API, is left to a person.
            Processes.Result forgot = Processes.run(
                    SOON,
                    net.in(
                            2,
                            JarProcess.command(
                                            "nodes",
                                            "forget",
                                            "edge-1",
                                            "--data",
                                            dirs.get(1).resolve("data").toString())
                                    .toArray(String[]::new)));
            assertThat(forgot.out())
                    .contains("forgot node edge-1")
                    .contains("removed: proxy")
                    .contains("handed over to this node's config file: cfg")
                    .contains("kept (made for that node alone; delete or edit them): cam");
            assertThat(net.api(2, dirs.get(1), "GET", "/api/v1/forwards/cfg", null))
                    .contains("\"origin-detail\":\"edge-2:");
            await().atMost(SOON).until(() -> net.api(3, dirs.get(2), "GET", "/api/v1/forwards/proxy", null)
                    .startsWith("404"));
            assertThat(net.roundTrip(ClusterNet.address(3), 8090, "cfg still")).isEqualTo("cfg still");
            assertThat(net.api(3, dirs.get(2), "GET", "/api/v1/forwards/cfg", null))
                    .contains("\"origin-detail\":\"edge-2:");
            assertThat(net.api(3, dirs.get(2), "GET", "/api/v1/nodes", null)).doesNotContain("edge-1");
            assertThat(net.api(3, dirs.get(2), "GET", "/api/v1/audit", null)).contains("\"action\":\"node.forget\"");
        }
    }

    private static String forward(String name, int port, String node) {
        return "{\"name\":\"" + name + "\",\"listen\":\"0.0.0.0:" + port + "\",\"target\":\"" + HUB + ":" + ECHO + "\""
                + (node.isEmpty() ? "" : ",\"nodes\":[\"" + node + "\"]") + "}";
    }

    private static String forwardFor(String name, int port, String expires) {
        return "{\"name\":\"" + name + "\",\"listen\":\"0.0.0.0:" + port + "\",\"target\":\"" + HUB + ":" + ECHO
                + "\",\"expires\":\"" + expires + "\"}";
    }

    private static String edit(String description) {
        return "{\"name\":\"web\",\"listen\":\"0.0.0.0:8080\",\"target\":\"" + HUB + ":" + ECHO
                + "\",\"description\":\"" + description + "\"}";
    }

    private static String description(String answer) {
        int at = answer.indexOf("\"description\":\"");
        if (!answer.startsWith("200") || at < 0) {
            return "";
        }
        int from = at + "\"description\":\"".length();
        return answer.substring(from, answer.indexOf('"', from));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private interface Call {
        String run() throws Exception;
    }

    private static String call(Call c) {
        try {
            return c.run();
        } catch (Exception e) {
            return "error " + e;
        }
    }
}
