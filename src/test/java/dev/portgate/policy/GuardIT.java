package dev.portgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portgate.config.ForwardJson;
import dev.portgate.config.Problems;
import dev.portgate.forward.Addresses;
import dev.portgate.forward.Origin;
import dev.portgate.rules.Actor;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.testing.Echo;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TcpPeers;
import dev.portgate.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Forwards that close when unused or expire, rate limits, bandwidth, the global firewall and bans. */
class GuardIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    private static String forward(String name, int port, int target, String extra) {
        return "  - name: " + name + "\n    listen: 127.0.0.1:" + port + "\n    target: 127.0.0.1:" + target + "\n"
                + extra;
    }

    @Test
    void closeWhenIdleDisablesAndExpiresRemovesAlsoAcrossARestart() throws Exception {
        Path dir = Files.createTempDirectory("portgate-guard");
        int idle = Net.freeTcpPort();
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo)) {
            try (TestGateway gw = new TestGateway(
                    "forwards:\n" + forward("idle", idle, echo.port(), "    close-when-idle: 2s\n"), dir)) {
                assertThat(Echo.getsThrough("127.0.0.1", idle)).isTrue();
                await().atMost(LIMIT).until(() -> gw.status("idle").state() == ForwardStatus.State.DISABLED);
                assertThat(Echo.getsThrough("127.0.0.1", idle)).isFalse();
                // An API-made forward that expires in a few seconds, then a restart before it does.
                var f = ForwardJson.decode(
                                new ObjectMapper()
                                        .readTree("{\"name\":\"short\",\"listen\":\"127.0.0.1:" + Net.freeTcpPort()
                                                + "\",\"target\":\"127.0.0.1:" + echo.port()
                                                + "\",\"expires\":\"4s\"}"),
                                new Origin(Origin.Kind.API, ""),
                                new Problems("test"))
                        .orElseThrow();
                gw.gateway().rules().create(f, Actor.SYSTEM);
            }
            try (TestGateway again = new TestGateway("", dir)) {
                assertThat(again.gateway().rules().get("short"))
                        .as("kept across the restart")
                        .isPresent();
                await().atMost(LIMIT)
                        .until(() -> again.gateway().rules().get("short").isEmpty());
                assertThat(again.gateway().audit().list(20, Long.MAX_VALUE)).anySatisfy(e -> {
                    assertThat(e.action()).isEqualTo("forward.delete");
                    assertThat(e.actor()).isEqualTo("expiry");
                });
            }
        }
    }

    @Test
    void rateLimitAndBandwidthHold() throws Exception {
        int limited = Net.freeTcpPort();
        int shaped = Net.freeTcpPort();
        byte[] data = new byte[384 * 1024];
        new Random(7).nextBytes(data);
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo);
                TestGateway gw = new TestGateway(
                        "forwards:\n" + forward("limited", limited, echo.port(), "    rate-limit: 3/m\n")
                                + forward("shaped", shaped, echo.port(), "    bandwidth: 1Mbit\n"))) {
            for (int i = 0; i < 3; i++) {
                assertThat(Echo.getsThrough("127.0.0.1", limited))
                        .as("connection " + (i + 1))
                        .isTrue();
            }
            assertThat(Echo.getsThrough("127.0.0.1", limited))
                    .as("the fourth within a minute")
                    .isFalse();
            assertThat(Echo.getsThrough("127.0.0.2", limited))
                    .as("another source has its own budget")
                    .isTrue();
            assertThat(gw.stats("limited").refusedRate()).isEqualTo(1);

            // 384 KiB each way through a 1 Mbit/s (125 kB/s) forward: all of it arrives, no faster than the limit.
            try (Socket s = new Socket("127.0.0.1", shaped)) {
                s.setSoTimeout(60_000);
                long started = System.nanoTime();
                OutputStream out = s.getOutputStream();
                Thread writer = new Thread(() -> {
                    try {
                        out.write(data);
                        out.flush();
                    } catch (IOException ignored) {
                        // the reader's assertion tells
                    }
                });
                writer.start();
                InputStream in = s.getInputStream();
                byte[] back = in.readNBytes(data.length);
                double seconds = (System.nanoTime() - started) / 1e9;
                writer.join();
                assertThat(back).isEqualTo(data);
                double bytesPerSecond = data.length / seconds;
                assertThat(bytesPerSecond).as("average rate, bytes/s").isLessThan(125_000 * 1.5);
            }
        }
    }

    @Test
    void repeatedBadConsoleLoginsBanTheSourceAndTheApiLiftsIt() throws Exception {
        Path dir = Files.createTempDirectory("portgate-ban");
        int plain = Net.freeTcpPort();
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo)) {
            Files.writeString(
                    dir.resolve("portgate.yaml"),
                    "firewall:\n  ban: { after: 3, within: 1m, for: 1h }\nforwards:\n"
                            + forward("plain", plain, echo.port(), ""));
            var env = Map.of("PORTGATE_ADMIN_PASSWORD", "correct-horse-battery");
            var http = HttpClient.newHttpClient();
            try (JarProcess gw = JarProcess.start(
                    dir, env, "serve", "--config", "portgate.yaml", "--data", "data", "--console", "127.0.0.1:0")) {
                gw.awaitOutput("portgate started");
                String url = Files.readString(dir.resolve("data/console-url")).strip();
                for (int i = 0; i < 3; i++) {
                    var r = http.send(
                            HttpRequest.newBuilder(URI.create(url + "/api/v1/session"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"user\":\"admin\",\"password\":\"wrong-" + i + "\"}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(401);
                }
                gw.awaitOutput("banned 127.0.0.1");
                assertThat(Echo.getsThrough("127.0.0.1", plain))
                        .as("banned from the forwards too")
                        .isFalse();
            }
            // A restart does not lift the ban; the API does.
            try (JarProcess gw = JarProcess.start(
                    dir, env, "serve", "--config", "portgate.yaml", "--data", "data", "--console", "127.0.0.1:0")) {
                gw.awaitOutput("portgate started");
                String url = Files.readString(dir.resolve("data/console-url")).strip();
                String token = Files.readString(dir.resolve("data/api-token")).strip();
                assertThat(Echo.getsThrough("127.0.0.1", plain))
                        .as("still banned after the restart")
                        .isFalse();
                var bans = http.send(
                        HttpRequest.newBuilder(URI.create(url + "/api/v1/bans"))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(bans.body()).contains("\"address\":\"127.0.0.1\"").contains("console login");
                var lifted = http.send(
                        HttpRequest.newBuilder(URI.create(url + "/api/v1/bans/127.0.0.1"))
                                .header("Authorization", "Bearer " + token)
                                .DELETE()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(lifted.statusCode()).isEqualTo(204);
                assertThat(Echo.getsThrough("127.0.0.1", plain)).isTrue();
            }
        }
    }

    @Test
    void udpBeyondTheBandwidthIsDroppedAndCounted() throws Exception {
        int port = Net.freeUdpPort();
        try (DatagramSocket target = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
                TestGateway gw = new TestGateway("forwards:\n  - name: voice\n    protocol: udp\n    listen: 127.0.0.1:"
                        + port + "\n    target: 127.0.0.1:" + target.getLocalPort() + "\n    bandwidth: 1Mbit\n");
                DatagramSocket client = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            // 1,000 datagrams of 1,000 bytes in bursts of 100 (each fits the socket buffer): far above 125 kB/s,
            // so most are dropped by the forward, and counted.
            byte[] payload = new byte[1000];
            long started = System.nanoTime();
            for (int burst = 1; burst <= 10; burst++) {
                for (int i = 0; i < 100; i++) {
                    client.send(new DatagramPacket(payload, payload.length, InetAddress.getByName("127.0.0.1"), port));
                }
                long sent = burst * 100L;
                await().atMost(LIMIT)
                        .until(() -> gw.stats("voice").packetsIn()
                                        + gw.stats("voice").packetsDropped()
                                == sent);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long passed = gw.stats("voice").bytesIn();
            assertThat(passed)
                    .as("bytes let through")
                    .isPositive()
                    .isLessThanOrEqualTo((long) (65_536 + 125_000 * seconds) + 1000);
            assertThat(gw.stats("voice").packetsDropped()).isPositive();
        }
    }

    @Test
    void repeatedBadProxyPasswordsBanTheSourceEverywhereUntilUnbanned() throws Exception {
        String curl = Peers.require("curl");
        int proxy = Net.freeTcpPort();
        int plain = Net.freeTcpPort();
        String hash = PasswordHash.hash("right-password".toCharArray());
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo);
                TestGateway gw = new TestGateway(
                        "firewall:\n  deny: [ 127.0.0.9 ]\n  ban: { after: 3, within: 1m, for: 1h }\nforwards:\n"
                                + "  - name: proxy\n    kind: dynamic\n    listen: 127.0.0.1:" + proxy
                                + "\n    users: [ { name: bob, password-hash: \"" + hash + "\" } ]\n"
                                + "    permit-open: [ \"127.0.0.1:*\" ]\n"
                                + forward("plain", plain, echo.port(), ""))) {
            assertThat(Echo.getsThrough("127.0.0.1", plain)).isTrue();
            assertThat(Echo.getsThrough("127.0.0.9", plain))
                    .as("the global firewall's deny")
                    .isFalse();
            for (int i = 0; i < 3; i++) {
                Processes.Result r = Processes.run(
                        LIMIT,
                        List.of(
                                curl,
                                "-sS",
                                "--max-time",
                                "10",
                                "--socks5-hostname",
                                "bob:wrong@127.0.0.1:" + proxy,
                                "http://127.0.0.1:" + echo.port() + "/"));
                assertThat(r.exit()).isNotZero();
            }
            var loopback = Addresses.literal("127.0.0.1");
            await().atMost(LIMIT).until(() -> gw.gateway().policy().bans().isBanned(loopback));
            assertThat(Echo.getsThrough("127.0.0.1", plain))
                    .as("banned everywhere")
                    .isFalse();
            assertThat(Echo.getsThrough("127.0.0.2", plain))
                    .as("others are not")
                    .isTrue();
            assertThat(gw.stats("plain").refusedBanned()).isEqualTo(1);
            assertThat(gw.gateway().audit().list(20, Long.MAX_VALUE))
                    .anySatisfy(e -> assertThat(e.action()).isEqualTo("ban"));
            gw.gateway().policy().bans().unban(loopback);
            assertThat(Echo.getsThrough("127.0.0.1", plain)).isTrue();
        }
    }
}
