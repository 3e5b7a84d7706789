package dev.portgate.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.testing.CgnatNet;
import dev.portgate.testing.InNamespace;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * portgate's own tunnel through carrier-grade NAT, in namespaces: home (the tunnel client and its targets) behind a
 * NAT that lets nothing in, a VPS with the tunnel server, and players on the internet side.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TunnelIT {

    private static final Duration LIMIT = Duration.ofSeconds(40);
    private static final int CONSOLE = 9090;
    private static final Pattern FINGERPRINT = Pattern.compile("certificate sha256:([0-9a-f]{64})");

    @TempDir
    static Path dir;

    static CgnatNet net;
    static TunnelPeers peers;
    static JarProcess server;
    static JarProcess client;
    static String fingerprint;

    @BeforeAll
    static void start() throws Exception {
        net = CgnatNet.create();
        peers = new TunnelPeers();
        String token = TunnelTokens.generate();
        Files.writeString(dir.resolve("home.token"), token);
        Files.writeString(dir.resolve("home.hash"), TunnelTokens.hash(token));
        Files.writeString(dir.resolve("other.hash"), TunnelTokens.hash(TunnelTokens.generate()));
        Files.writeString(dir.resolve("wrong.token"), TunnelTokens.generate());
        startServer();
        peers.tcpEcho(net.home, 7000);
        peers.tcpFirstLine(net.home, 7001);
        for (int port = 7100; port <= 7102; port++) {
            peers.udpEcho(net.home, port);
        }
        peers.udpWho(net.home, 7200);
        client = net.portgate(
                net.home,
                dir.resolve("home"),
                "tunnel-endpoints:\n"
                        + "  - name: vps\n"
                        + "    server: " + CgnatNet.VPS + ":7443\n"
                        + "    token-file: " + dir.resolve("home.token") + "\n"
                        + "    server-fingerprint: \"sha256:" + fingerprint + "\"\n"
                        + "forwards:\n"
                        + "  - { name: mc, kind: remote, via: vps, listen: 0.0.0.0:25565, target: 127.0.0.1:7000 }\n"
                        + "  - { name: who-tcp, kind: remote, via: vps, listen: 0.0.0.0:27020, target: 127.0.0.1:7001,"
                        + " proxy-protocol: v1 }\n"
                        + "  - { name: game, kind: remote, via: vps, protocol: udp, listen: 0.0.0.0:27015-27017,"
                        + " target: 127.0.0.1:7100-7102 }\n"
                        + "  - { name: who, kind: remote, via: vps, protocol: udp, listen: 0.0.0.0:28000,"
                        + " target: 127.0.0.1:7200, proxy-protocol: v2 }\n"
                        + "  - { name: outside, kind: remote, via: vps, listen: 0.0.0.0:30000, target: 127.0.0.1:7000 }\n",
                CONSOLE);
        await().atMost(LIMIT).until(() -> echoes(25565));
    }

    private static void startServer() throws Exception {
        server = net.portgate(
                net.vps,
                dir.resolve("vps"),
                "tunnel-server:\n"
                        + "  listen: 0.0.0.0:7443\n"
                        + "  clients:\n"
                        + "    - name: home\n"
                        + "      token-file: " + dir.resolve("home.hash") + "\n"
                        + "      permit-listen: [ \"0.0.0.0:25565\", \"0.0.0.0:27015-27020\", \"udp/0.0.0.0:28000\" ]\n"
                        + "    - name: other\n"
                        + "      token-file: " + dir.resolve("other.hash") + "\n"
                        + "      permit-listen: [ \"0.0.0.0:29000\" ]\n",
                CONSOLE);
        await().atMost(LIMIT).until(() -> FINGERPRINT.matcher(server.output()).find());
        Matcher m = FINGERPRINT.matcher(server.output());
        assertThat(m.find()).isTrue();
        fingerprint = m.group(1);
    }

    @AfterAll
    static void stop() {
        if (System.getProperty("tunnel.logs") != null) {
            System.out.println("=== server\n" + (server == null ? "" : server.output()));
            System.out.println("=== client\n" + (client == null ? "" : client.output()));
        }
        if (peers != null) {
            peers.close();
        }
        if (net != null) {
            net.close();
        }
    }

    @Test
    @Order(1)
    void aTcpTransferCrossesTheNatIntactAndManyConnectionsShareTheTunnel() throws Exception {
        byte[] data = new byte[8 * 1024 * 1024];
        new Random(17).nextBytes(data);
        try (Socket s = TunnelPeers.connect(net.internet, CgnatNet.VPS_PUBLIC, 25565)) {
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                } catch (IOException e) {
                    // the read side fails the test
                }
            });
            writer.start();
            byte[] back = s.getInputStream().readAllBytes();
            writer.join();
            assertThat(back.length).isEqualTo(data.length);
            assertThat(sha256(back)).isEqualTo(sha256(data));
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Boolean>> all = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                all.add(pool.submit(() -> echoes(25565)));
            }
            for (Future<Boolean> f : all) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(2)
    void playersOnAUdpRangeEachGetTheirOwnAnswersFromTheRightPort() throws Exception {
        List<DatagramSocket> players = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            players.add(peers.player(net.internet));
        }
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < players.size(); i++) {
                int port = 27015 + (i % 3);
                send(players.get(i), port, "player" + i + "-" + round);
            }
            for (int i = 0; i < players.size(); i++) {
                int target = 7100 + (i % 3);
                assertThat(receive(players.get(i))).isEqualTo(target + ":player" + i + "-" + round);
            }
        }
    }

    @Test
    @Order(3)
    void theTargetLearnsThePlayersRealAddressOverUdpAndTcp() throws Exception {
        DatagramSocket player = peers.player(net.internet);
        send(player, 28000, "who am I");
        assertThat(receive(player)).isEqualTo(CgnatNet.PLAYER + ":" + player.getLocalPort());
        try (Socket s = TunnelPeers.connect(net.internet, CgnatNet.VPS_PUBLIC, 27020)) {
            String line = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            assertThat(line).startsWith("PROXY TCP4 " + CgnatNet.PLAYER + " ").endsWith(" 27020");
            assertThat(line.split(" ")[4]).isEqualTo(String.valueOf(s.getLocalPort()));
        }
    }

    @Test
    @Order(4)
    void aForwardOutsidePermitListenIsRefusedWithTheReasonAndOthersGoOn() throws Exception {
        await().atMost(LIMIT).untilAsserted(() -> assertThat(
                        net.api(net.home, dir.resolve("home"), CONSOLE, "/api/v1/forwards/outside"))
                .contains("\"state\":\"failed\"")
                .contains("may not listen on tcp 0.0.0.0:30000 (permit-listen"));
        assertThat(server.output())
                .contains("listen tcp 0.0.0.0:30000 refused")
                .doesNotContain("forward \"tunnel-home-tcp-30000\" added");
        assertThat(net.api(net.vps, dir.resolve("vps"), CONSOLE, "/api/v1/audit"))
                .contains("tunnel.listen-refused");
        assertThat(echoes(25565)).isTrue();
    }

    @Test
    @Order(5)
    void aWrongTokenAndAnUnknownServerAreRefusedAndTheTunnelThatWorksIsUntouched() throws Exception {
        Processes.Result wrongToken = oneLiner(dir.resolve("wrong.token"), "sha256:" + fingerprint);
        assertThat(wrongToken.exit()).isEqualTo(255);
        assertThat(wrongToken.stderr()).contains("refused by the server: wrong token");
        assertThat(net.api(net.vps, dir.resolve("vps"), CONSOLE, "/api/v1/audit"))
                .contains("tunnel.refused");

        String other = fingerprint.startsWith("0") ? "1" + fingerprint.substring(1) : "0" + fingerprint.substring(1);
        Processes.Result unknown = oneLiner(dir.resolve("home.token"), "sha256:" + other);
        assertThat(unknown.exit()).isEqualTo(255);
        assertThat(unknown.stderr()).contains("not the pinned");
        assertThat(echoes(25565)).isTrue();
    }

    @Test
    @Order(6)
    void garbageOnTheTunnelPortDisturbsNothing() throws Exception {
        Random random = new Random(3);
        try (DatagramSocket junk = InNamespace.call(net.internet, () -> new DatagramSocket())) {
            for (int i = 0; i < 500; i++) {
                byte[] b = new byte[1 + random.nextInt(1400)];
                random.nextBytes(b);
                if (i % 2 == 0) {
                    b[0] = (byte) 0xc0; // a QUIC long header's first bits, so the codec reads on
                }
                junk.send(new DatagramPacket(b, b.length, new InetSocketAddress(CgnatNet.VPS_PUBLIC, 7443)));
            }
        }
        assertThat(echoes(25565)).isTrue();
        DatagramSocket player = peers.player(net.internet);
        send(player, 27015, "still here");
        assertThat(receive(player)).isEqualTo("7100:still here");
    }

    @Test
    @Order(7)
    void onALossyPathLostDatagramsStayLostAndTheOnesAfterThemStillArrive() throws Exception {
        DatagramSocket player = peers.player(net.internet);
        player.setSoTimeout(300);
        net.lose(7443, 5);
        List<Integer> back = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        try {
            int sent = 300;
            for (int i = 0; i < sent; i++) {
                send(player, 27015, "n" + i);
                try {
                    while (true) {
                        String reply = receive(player);
                        back.add(Integer.parseInt(reply.substring("7100:n".length())));
                        at.add(System.nanoTime());
                        if (back.get(back.size() - 1) == i) {
                            break;
                        }
                    }
                } catch (IOException lostThisOne) {
                    // not retransmitted: the next datagram goes on
                }
            }
        } finally {
            net.clearPath();
        }
        // Carried as datagrams, a loss leaves a gap; nothing waits for it and nothing arrives out of turn. (In one
        // reliable stream every datagram would arrive, late: no gap, and a stall behind each loss.)
        assertThat(back).isSorted().doesNotHaveDuplicates();
        assertThat(back.size()).isLessThan(300).isGreaterThan(200);
        long maxGapMillis = 0;
        for (int i = 1; i < at.size(); i++) {
            maxGapMillis = Math.max(maxGapMillis, (at.get(i) - at.get(i - 1)) / 1_000_000);
        }
        System.out.printf(
                "lossy path: %d of 300 datagrams came back, in order; longest wait between two: %d ms%n",
                back.size(), maxGapMillis);
    }

    @Test
    @Order(8)
    void whenTheNatChangesItsAddressTheSessionMovesWithoutReconnecting() throws Exception {
        DatagramSocket player = peers.player(net.internet);
        send(player, 27016, "before");
        assertThat(receive(player)).isEqualTo("7101:before");
        assertThat(net.api(net.vps, dir.resolve("vps"), CONSOLE, "/api/v1/tunnels"))
                .contains(CgnatNet.CGNAT_OUT + ":");
        net.moveNat(CgnatNet.CGNAT_OUT2);
        // The server reaches home again once home's next packet (a ping, at most 10 s away) shows the new address.
        await().atMost(LIMIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            send(player, 27016, "after");
            try {
                return receive(player).equals("7101:after");
            } catch (IOException timeout) {
                return false;
            }
        });
        String tunnels = net.api(net.vps, dir.resolve("vps"), CONSOLE, "/api/v1/tunnels");
        assertThat(tunnels).contains(CgnatNet.CGNAT_OUT2 + ":");
        assertThat(count(server.output(), "tunnel: client \"home\" connected")).isEqualTo(1);
    }

    @Test
    @Order(9)
    void afterTheServerRestartsTheClientReconnectsAndItsForwardsComeBack() throws Exception {
        server.close();
        startServer();
        await().atMost(Duration.ofSeconds(60)).until(() -> echoes(25565));
        DatagramSocket player = peers.player(net.internet);
        await().atMost(LIMIT).until(() -> {
            send(player, 27017, "back");
            try {
                return receive(player).equals("7102:back");
            } catch (IOException timeout) {
                return false;
            }
        });
        assertThat(client.output()).contains("tunnel-endpoint \"vps\": connected to");
    }

    // --- helpers

    private static Processes.Result oneLiner(Path token, String pin) throws Exception {
        List<String> cmd = new ArrayList<>(net.prefix(net.home));
        cmd.addAll(JarProcess.command(
                "tunnel",
                "-R",
                "29000:127.0.0.1:7000",
                "--token-file",
                token.toString(),
                "--fingerprint",
                pin,
                CgnatNet.VPS + ":7443"));
        return Processes.run(LIMIT, cmd);
    }

    private static boolean echoes(int port) {
        try (Socket s = TunnelPeers.connect(net.internet, CgnatNet.VPS_PUBLIC, port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readNBytes(5), StandardCharsets.US_ASCII).equals("ping\n");
        } catch (Exception e) {
            return false;
        }
    }

    private static void send(DatagramSocket s, int port, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(b, b.length, new InetSocketAddress(CgnatNet.VPS_PUBLIC, port)));
    }

    private static String receive(DatagramSocket s) throws IOException {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
