package dev.portgate.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.net.KeyStores;
import dev.portgate.testing.ClusterNet;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Postgres;
import dev.portgate.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any node serves any tunnel: a tunnel client connected to node 1 of two has its ports open on node 2 as well, and
 * a player there is carried over the node link — TCP intact, UDP answered, the player's own address told to the
 * target; an {@code ssh -R} port and the client's site by name likewise. When node 1 dies, node 2 drops its link and the ports it held for node 1; the client moves to node 2 and
 * the player's next connection is served.
 */
class NodeLinkIT {

    private static final Duration SOON = Duration.ofSeconds(30);
    private static final int ECHO = 9000;
    private static final int UDP_ECHO = 9001;
    private static final int FIRST_LINE = 9002;
    private static final int WEB = 9003;

    @TempDir
    Path tmp;

    @Test
    void aPlayerOnTheOtherNodeReachesTheClientOverTheNodeLinkAndAfterItsNodeDies() throws Exception {
        try (ClusterNet net = ClusterNet.create(2);
                Postgres pg = Postgres.start(net.hubPrefix(), ClusterNet.HUB, 5432)) {
            net.startInHub("socat", "TCP-LISTEN:" + ECHO + ",bind=" + ClusterNet.HUB + ",fork,reuseaddr", "EXEC:cat");
            net.startInHub("socat", "UDP4-LISTEN:" + UDP_ECHO + ",bind=" + ClusterNet.HUB + ",fork,reuseaddr", "PIPE");
            net.startInHub(
                    "socat",
                    "TCP-LISTEN:" + FIRST_LINE + ",bind=" + ClusterNet.HUB + ",fork,reuseaddr",
                    "SYSTEM:head -n 1");
            // A web server of one page; it reads the request to its end first, since a socket closed with unread
            // bytes resets, answer and all.
            Path page = tmp.resolve("page.sh");
            Files.writeString(
                    page,
                    "sed '/^\\r$/q' > /dev/null\n"
                            + "printf 'HTTP/1.1 200 OK\\r\\nContent-Length: 11\\r\\nConnection: close\\r\\n\\r\\nhello site\\n'\n");
            net.startInHub(
                    "socat", "TCP-LISTEN:" + WEB + ",bind=" + ClusterNet.HUB + ",fork,reuseaddr", "EXEC:sh " + page);
            KeyStores.KeyStoreFile certificate =
                    KeyStores.selfSigned(tmp.resolve("tunnel.p12"), "portgate tunnel", "localhost");
            Path key = tmp.resolve("alice");
            Processes.run(
                    SOON, List.of(Peers.require("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
            String pub = Files.readString(tmp.resolve("alice.pub")).strip();
            String token = TunnelTokens.generate();
            Files.writeString(tmp.resolve("home.token"), token);
            Files.writeString(tmp.resolve("home.hash"), TunnelTokens.hash(token));
            JarProcess[] nodes = new JarProcess[3];
            for (int i = 1; i <= 2; i++) {
                nodes[i] = net.portgate(
                        i,
                        tmp.resolve("edge-" + i),
                        "store:\n  url: " + pg.url() + "\n  password-file: " + pg.passwordFile() + "\n"
                                + "node:\n  name: edge-" + i + "\n  address: " + ClusterNet.address(i) + ":7444\n"
                                + "tunnel-server:\n  listen: 0.0.0.0:7443\n  certificate: key-store\n"
                                + "  key-store: " + certificate.path() + "\n"
                                + "  key-store-password-file: " + certificate.path() + ".password\n"
                                + "  clients:\n    - name: home\n      token-file: " + tmp.resolve("home.hash")
                                + "\n      permit-listen: [ \"0.0.0.0:9100-9102\" ]\n"
                                + "      permit-hosts: [ \"*.cluster.test\" ]\n"
                                + "http-routing:\n  http: 0.0.0.0:80\n  https: 0.0.0.0:443\n  domain: cluster.test\n"
                                + "  redirect: false\n"
                                + "ssh-server:\n  listen: 0.0.0.0:2222\n  users:\n    - name: alice\n"
                                + "      authorized-keys: [ \"" + pub + "\" ]\n"
                                + "      permit-listen: [ \"0.0.0.0:9200\" ]\n");
                nodes[i].awaitOutput("console and API on");
            }
            // One SSH host key for both nodes: an SSH client that moves between them is not told the host changed.
            await().atMost(SOON).untilAsserted(() -> assertThat(hostKey(net, ClusterNet.address(1)))
                    .startsWith("ecdsa-sha2-nistp256 ")
                    .isEqualTo(hostKey(net, ClusterNet.address(2))));
            Path home = tmp.resolve("home");
            Files.createDirectories(home);
            Files.writeString(
                    home.resolve("portgate.yaml"),
                    "tunnel-endpoints:\n  - name: cluster\n    servers: [ " + ClusterNet.address(1) + ":7443, "
                            + ClusterNet.address(2) + ":7443 ]\n    token-file: " + tmp.resolve("home.token")
                            + "\n    server-fingerprint: \"sha256:" + KeyStores.fingerprint(certificate) + "\"\n"
                            + "    keepalive: 2s\n"
                            + "forwards:\n"
                            + "  - { name: mc, kind: remote, via: cluster, listen: 0.0.0.0:9100,"
                            + " target: \"" + ClusterNet.HUB + ":" + ECHO + "\" }\n"
                            + "  - { name: voice, kind: remote, via: cluster, protocol: udp, listen: 0.0.0.0:9101,"
                            + " target: \"" + ClusterNet.HUB + ":" + UDP_ECHO + "\" }\n"
                            + "  - { name: who, kind: remote, via: cluster, listen: 0.0.0.0:9102, proxy-protocol: v1,"
                            + " target: \"" + ClusterNet.HUB + ":" + FIRST_LINE + "\" }\n"
                            + "  - { name: web, kind: remote, via: cluster, host: demo,"
                            + " target: \"" + ClusterNet.HUB + ":" + WEB + "\" }\n");
            try (JarProcess client = JarProcess.serve(home, net.hubPrefix(), "127.0.0.1:7081")) {
                await().atMost(SOON).until(() -> net.roundTrip(ClusterNet.address(1), 9100, "player on edge-1")
                        .equals("player on edge-1"));
                assertThat(client.output()).contains("connected to " + ClusterNet.address(1) + ":7443");

                // The client is on edge-1 only; edge-2 opens its ports through the node link.
                await().atMost(SOON).until(() -> net.roundTrip(ClusterNet.address(2), 9100, "player on edge-2")
                        .equals("player on edge-2"));
                Path data = tmp.resolve("two-megabytes");
                byte[] bytes = new byte[2 * 1024 * 1024];
                new SecureRandom().nextBytes(bytes);
                Files.write(data, bytes);
                assertThat(echoed(net, ClusterNet.address(2), 9100, data)).isEqualTo(sha256(bytes));
                await().atMost(SOON).until(() -> udpRoundTrip(net, ClusterNet.address(2), 9101, "datagram via edge-2")
                        .equals("datagram via edge-2"));
                // The target is told the player's address (PROXY v1), not the node that carried it.
                assertThat(net.roundTrip(ClusterNet.address(2), 9102, "hello"))
                        .startsWith("PROXY TCP4 " + ClusterNet.HUB + " ");
                assertThat(net.api(2, tmp.resolve("edge-2"), "GET", "/api/v1/forwards", null))
                        .startsWith("200 ")
                        .contains("link-edge-1-tcp-9100");
                // The client's site by name: on edge-1, and by edge-2's name routing over the node link.
                await().atMost(SOON).untilAsserted(() -> assertThat(site(net, ClusterNet.address(1)))
                        .isEqualTo("hello site"));
                await().atMost(SOON).untilAsserted(() -> assertThat(site(net, ClusterNet.address(2)))
                        .isEqualTo("hello site"));
                assertThat(net.api(2, tmp.resolve("edge-2"), "GET", "/api/v1/nodes", null))
                        .contains("\"link\":\"connected (tcp)\"");

                // ssh -R on edge-1's SSH server: its port is carried from edge-2 the same way.
                net.startInHub(
                        Peers.require("ssh"),
                        "-N",
                        "-p",
                        "2222",
                        "-i",
                        key.toString(),
                        "-o",
                        "StrictHostKeyChecking=no",
                        "-o",
                        "UserKnownHostsFile=/dev/null",
                        "-o",
                        "BatchMode=yes",
                        "-o",
                        "ExitOnForwardFailure=yes",
                        "-R",
                        "0.0.0.0:9200:" + ClusterNet.HUB + ":" + ECHO,
                        "alice@" + ClusterNet.address(1));
                await().atMost(SOON).until(() -> net.roundTrip(ClusterNet.address(2), 9200, "ssh player on edge-2")
                        .equals("ssh player on edge-2"));

                // PostgreSQL away for longer than a node takes to be called down: the link and its ports stay, during
                // the outage and in the seconds after, when every node's last heartbeat is as old as the outage.
                pg.stop();
                await().during(Duration.ofSeconds(7))
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> net.roundTrip(ClusterNet.address(2), 9100, "store away")
                                .equals("store away"));
                // edge-1 gets the store back a few seconds after edge-2 does: edge-2 then sees edge-1's heartbeat
                // as old as the outage, and must not take it for down before it has had time to beat again.
                Processes.run(
                        SOON,
                        net.in(
                                1,
                                "nft",
                                "add table inet late; add chain inet late out { type filter hook output priority 0; };"
                                        + " add rule inet late out ip daddr " + ClusterNet.HUB
                                        + " tcp dport 5432 reject with tcp reset"));
                pg.restart();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> net.api(2, tmp.resolve("edge-2"), "GET", "/api/v1/stats", null)
                                .matches("(?s)^200 .*\"problem\":null.*"));
                await().during(Duration.ofSeconds(2))
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> net.roundTrip(ClusterNet.address(2), 9100, "store back on edge-2")
                                .equals("store back on edge-2"));
                Processes.run(SOON, net.in(1, "nft", "delete table inet late"));
                await().during(Duration.ofSeconds(6))
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> net.roundTrip(ClusterNet.address(2), 9100, "store back")
                                .equals("store back"));

                // edge-1 cannot reach edge-2's node-link port for 30 s while both stay up in the store: once it can,
                // its link is back within seconds — a node link retries at most 2 s apart, where a tunnel client's
                // backoff would be up to half a minute by then.
                Processes.run(
                        SOON,
                        net.in(
                                1,
                                "nft",
                                "add table inet cut; add chain inet cut out { type filter hook output priority 0; };"
                                        + " add rule inet cut out ip daddr " + ClusterNet.address(2)
                                        + " tcp dport 7444 reject with tcp reset"));
                long cut = System.nanoTime();
                await().atMost(SOON).until(() -> net.roundTrip(ClusterNet.address(2), 9100, "cut")
                        .isEmpty());
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> System.nanoTime() - cut
                                >= Duration.ofSeconds(20).toNanos());
                Processes.run(SOON, net.in(1, "nft", "delete table inet cut"));
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> net.roundTrip(ClusterNet.address(2), 9100, "link back")
                                .equals("link back"));

                Processes.run(SOON, List.of("kill", "-KILL", String.valueOf(nodes[1].pid())));
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> net.roundTrip(ClusterNet.address(2), 9100, "after edge-1 died")
                                .equals("after edge-1 died"));
                await().atMost(SOON)
                        .until(() -> client.output().contains("connected to " + ClusterNet.address(2) + ":7443"));
                // It left the dead node after three unanswered pings, and went to the next server of its list.
                assertThat(client.output())
                        .contains("did not answer for")
                        .contains("trying the next server, " + ClusterNet.address(2) + ":7443");
                assertThat(nodes[2].output()).contains("node link to edge-1: the node is down or gone");
                await().atMost(SOON).until(() -> !net.api(2, tmp.resolve("edge-2"), "GET", "/api/v1/forwards", null)
                        .contains("link-edge-1-"));
            }
        }
    }

    /** Sends the file through host:port from the hub and gives the SHA-256 of what came back. */
    private static String echoed(ClusterNet net, String host, int port, Path file) throws Exception {
        Processes.Result r = Processes.run(
                SOON,
                net.inHub(
                        "sh",
                        "-c",
                        "timeout 20 socat -T 10 - TCP:" + host + ":" + port + " < \"$0\" | sha256sum",
                        file.toString()));
        return r.out().strip().split("\\s+")[0];
    }

    /** The SSH host key a node's SSH server shows, as ssh-keyscan reads it from the hub: "TYPE KEY". */
    private static String hostKey(ClusterNet net, String node) throws Exception {
        String out = Processes.run(
                        SOON, net.inHub(Peers.require("ssh-keyscan"), "-T", "5", "-p", "2222", "-t", "ecdsa", node))
                .out();
        return out.lines()
                .filter(l -> !l.startsWith("#") && l.contains(" "))
                .map(l -> l.substring(l.indexOf(' ') + 1).strip())
                .findFirst()
                .orElse("");
    }

    /** GET http://demo.cluster.test/ at one node, from the hub. */
    private static String site(ClusterNet net, String node) throws Exception {
        Processes.Result r = Processes.run(
                SOON,
                net.inHub(
                        "curl",
                        "-sS",
                        "-m",
                        "5",
                        "--resolve",
                        "demo.cluster.test:80:" + node,
                        "http://demo.cluster.test/"));
        return (r.out() + r.stderr()).strip();
    }

    private static String udpRoundTrip(ClusterNet net, String host, int port, String line) throws Exception {
        Processes.Result r = Processes.run(
                SOON,
                net.inHub(
                        "sh", "-c", "printf '%s\\n' \"$0\" | timeout 5 socat -T 2 - UDP4:" + host + ":" + port, line));
        return r.out().strip();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
