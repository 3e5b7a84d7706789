package dev.portgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.testing.Echo;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Net;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TcpPeers;
import dev.portgate.testing.TestGateway;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A knock-guarded forward: closed to everyone until a signed knock opens it for the knocker, for open-for. */
class KnockIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    private static void send(byte[] packet, int port) throws IOException {
        try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            d.send(new DatagramPacket(packet, packet.length, InetAddress.getByName("127.0.0.1"), port));
        }
    }

    @Test
    void aSignedKnockOpensTheDoorForTheKnockerOnlyAndForAWhile() throws Exception {
        Path dir = Files.createTempDirectory("portgate-knock");
        Path key = dir.resolve("rdp.key");
        Processes.Result made = JarProcess.run(dir, "knock-key", key.toString());
        assertThat(made.exit()).as(made.stderr()).isZero();
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(JarProcess.run(dir, "knock-key", key.toString()).stderr()).contains("exists — give --force");
        Path otherKey = dir.resolve("other.key");
        JarProcess.run(dir, "knock-key", otherKey.toString());

        int port = Net.freeTcpPort();
        int knockPort = Net.freeUdpPort();
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo);
                TestGateway gw =
                        new TestGateway("knock: { listen: 127.0.0.1:" + knockPort + " }\nforwards:\n  - name: rdp\n"
                                + "    listen: 127.0.0.1:" + port + "\n    target: 127.0.0.1:" + echo.port()
                                + "\n    access: knock\n"
                                + "    knock-key: " + key + "\n    open-for: 3s\n")) {
            // Closed: nobody gets through, and the target never sees a connection.
            assertThat(Echo.getsThrough("127.0.0.1", port)).isFalse();
            assertThat(echo.accepted()).isZero();

            Processes.Result knocked = JarProcess.run(
                    dir,
                    "knock",
                    "127.0.0.1",
                    "rdp",
                    "--key-file",
                    key.toString(),
                    "--port",
                    String.valueOf(knockPort));
            assertThat(knocked.exit()).as(knocked.stderr()).isZero();
            await().atMost(LIMIT).until(() -> Echo.getsThrough("127.0.0.1", port));
            // Open for the knocker's address only.
            assertThat(Echo.getsThrough("127.0.0.2", port)).isFalse();

            // A connection made while open outlives the window; new ones are refused once it ends.
            try (Socket held = new Socket("127.0.0.1", port)) {
                held.setSoTimeout(5000);
                await().atMost(LIMIT).until(() -> !Echo.getsThrough("127.0.0.1", port));
                held.getOutputStream().write("still\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(held.getInputStream().readNBytes(6), StandardCharsets.US_ASCII))
                        .isEqualTo("still\n");
            }

            // A replay of a good knock, a stale one and one under the wrong key open nothing.
            byte[] good = KnockPacket.build("rdp", Instant.now().getEpochSecond(), KnockPacket.readKey(key));
            send(good, knockPort);
            await().atMost(LIMIT).until(() -> Echo.getsThrough("127.0.0.1", port));
            await().atMost(LIMIT).until(() -> !Echo.getsThrough("127.0.0.1", port));
            long rejectedBefore = gw.gateway().knocks().rejected();
            send(good, knockPort);
            send(
                    KnockPacket.build(
                            "rdp", Instant.now().minusSeconds(3600).getEpochSecond(), KnockPacket.readKey(key)),
                    knockPort);
            send(KnockPacket.build("rdp", Instant.now().getEpochSecond(), KnockPacket.readKey(otherKey)), knockPort);
            send("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), knockPort);
            await().atMost(LIMIT).until(() -> gw.gateway().knocks().rejected() == rejectedBefore + 4);
            assertThat(Echo.getsThrough("127.0.0.1", port)).isFalse();
            assertThat(gw.gateway().knocks().accepted()).isEqualTo(2);
            assertThat(gw.stats("rdp").refusedClosed()).isGreaterThanOrEqualTo(4);
            assertThat(gw.gateway().audit().list(50, Long.MAX_VALUE))
                    .extracting(e -> e.action())
                    .contains("knock.accept", "knock.reject");
        }
    }

    /** Knocks come over UDP, whose source anyone can forge: bad ones must never ban the address they claim. */
    @Test
    void badKnocksNeverBanTheirSourceAndAFloodIsOnlyRateLimited() throws Exception {
        Path dir = Files.createTempDirectory("portgate-knock-spoof");
        Path key = dir.resolve("rdp.key");
        Path otherKey = dir.resolve("other.key");
        assertThat(JarProcess.run(dir, "knock-key", key.toString()).exit()).isZero();
        assertThat(JarProcess.run(dir, "knock-key", otherKey.toString()).exit()).isZero();
        int plain = Net.freeTcpPort();
        int rdp = Net.freeTcpPort();
        int knockPort = Net.freeUdpPort();
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo)) {
            Files.writeString(
                    dir.resolve("portgate.yaml"),
                    "firewall:\n  ban: { after: 3, within: 1m, for: 1h }\n"
                            + "knock: { listen: 127.0.0.1:" + knockPort + " }\nforwards:\n"
                            + "  - { name: plain, listen: 127.0.0.1:" + plain + ", target: 127.0.0.1:" + echo.port()
                            + " }\n"
                            + "  - { name: rdp, listen: 127.0.0.1:" + rdp + ", target: 127.0.0.1:" + echo.port()
                            + ", access: knock, knock-key: " + key + " }\n");
            try (JarProcess gw = JarProcess.start(
                    dir,
                    Map.of("PORTGATE_ADMIN_PASSWORD", "correct-horse-battery"),
                    "serve",
                    "--config",
                    "portgate.yaml",
                    "--data",
                    "data",
                    "--console",
                    "127.0.0.1:0")) {
                gw.awaitOutput("portgate started");
                long now = Instant.now().getEpochSecond();
                // Thirty bad knocks "from" 127.0.0.1: wrong key, a forward that does not open by knock, one that does
                // not exist, garbage.
                for (int i = 0; i < 30; i++) {
                    byte[] bad =
                            switch (i % 4) {
                                case 0 -> KnockPacket.build("rdp", now, KnockPacket.readKey(otherKey));
                                case 1 -> KnockPacket.build("plain", now, KnockPacket.readKey(key));
                                case 2 -> KnockPacket.build("nosuch", now, KnockPacket.readKey(key));
                                default -> "PGK1 not really".getBytes(StandardCharsets.US_ASCII);
                            };
                    send(bad, knockPort);
                }
                // The flood is rate-limited, so the knocker's own good knock goes through once its budget refills.
                await().atMost(LIMIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    send(KnockPacket.build("rdp", Instant.now().getEpochSecond(), KnockPacket.readKey(key)), knockPort);
                    return Echo.getsThrough("127.0.0.1", rdp);
                });
                assertThat(Echo.getsThrough("127.0.0.1", plain))
                        .as("the claimed source still reaches a forward")
                        .isTrue();
                String url = Files.readString(dir.resolve("data/console-url")).strip();
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> login = http.send(
                        HttpRequest.newBuilder(URI.create(url + "/api/v1/session"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"user\":\"admin\",\"password\":\"correct-horse-battery\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(login.statusCode())
                        .as("the claimed source still logs in to the console: " + login.body())
                        .isEqualTo(200);
                String token = Files.readString(dir.resolve("data/api-token")).strip();
                HttpResponse<String> bans = http.send(
                        HttpRequest.newBuilder(URI.create(url + "/api/v1/bans"))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(bans.body()).doesNotContain("127.0.0.1");
                assertThat(gw.output()).doesNotContain("banned 127.0.0.1");
            }
        }
    }
}
