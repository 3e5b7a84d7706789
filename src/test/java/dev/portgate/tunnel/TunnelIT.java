package dev.portgate.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.net.KeyStores;
import dev.portgate.testing.CgnatNet;
import dev.portgate.testing.InNamespace;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
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
    /** A second client, started where UDP is blocked: it runs on the TCP fallback. */
    static JarProcess fallback;

    static Instant fallbackSince;

    static String fingerprint;
    /** A client known by its certificate alone, made before the server starts so the server can list it. */
    static KeyStores.KeyStoreFile carded;

    static JarProcess cardedHome;

    @BeforeAll
    static void start() throws Exception {
        net = CgnatNet.create();
        peers = new TunnelPeers();
        String token = TunnelTokens.generate();
        Files.writeString(dir.resolve("home.token"), token);
        Files.writeString(dir.resolve("home.hash"), TunnelTokens.hash(token));
        String other = TunnelTokens.generate();
        Files.writeString(dir.resolve("other.token"), other);
        Files.writeString(dir.resolve("other.hash"), TunnelTokens.hash(other));
        Files.writeString(dir.resolve("wrong.token"), TunnelTokens.generate());
        carded = KeyStores.selfSigned(dir.resolve("carded/client.p12"), "carded", "localhost");
        startServer();
        peers.tcpEcho(net.home, 7000);
        peers.tcpFirstLine(net.home, 7001);
        peers.tcpHangUp(net.home, 7002);
        for (int port = 7100; port <= 7102; port++) {
            peers.udpEcho(net.home, port);
        }
        peers.udpWho(net.home, 7200);
        // On the VPS side, for local and dynamic forwards through the tunnel.
        peers.tcpEcho(net.vps, 7300);
        peers.tcpEcho(net.vps, 7301);
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
                        + "  - { name: hangup, kind: remote, via: vps, listen: 0.0.0.0:27018, target: 127.0.0.1:7002 }\n"
                        + "  - { name: outside, kind: remote, via: vps, listen: 0.0.0.0:30000, target: 127.0.0.1:7000 }\n"
                        + "  - { name: db, kind: local, via: vps, listen: 127.0.0.1:15432, target: 127.0.0.1:7300 }\n"
                        + "  - { name: nope, kind: local, via: vps, listen: 127.0.0.1:15433, target: 127.0.0.1:7301 }\n"
                        + "  - { name: proxy, kind: dynamic, via: vps, listen: 127.0.0.1:1080,"
                        + " permit-open: [ \"127.0.0.0/8:*\" ] }\n",
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
                        + "      permit-open: [ \"127.0.0.1:7300\" ]\n"
                        + "    - name: other\n"
                        + "      token-file: " + dir.resolve("other.hash") + "\n"
                        + "      permit-listen: [ \"0.0.0.0:29000\" ]\n"
                        + "      permit-open: [ \"127.0.0.1:7300\" ]\n"
                        + "    - name: carded\n"
                        + "      client-certificates: [ \"sha256:" + KeyStores.fingerprint(carded) + "\" ]\n"
                        + "      permit-listen: [ \"0.0.0.0:29100\" ]\n",
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
            System.out.println("=== fallback client\n" + (fallback == null ? "" : fallback.output()));
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
        assertTransferIntact(25565, 8 * 1024 * 1024, 17);
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
        Exchange run = exchangeOverLoss("udp", 27015);
        // Carried as datagrams, a loss leaves a gap; nothing waits for it and nothing arrives out of turn. (In one
        // reliable stream every datagram would arrive, late: no gap, and a stall behind each loss — test 11.)
        assertThat(run.back()).isSorted().doesNotHaveDuplicates();
        assertThat(run.back().size()).isLessThan(Exchange.SENT).isGreaterThan(200);
        System.out.println("lossy path, QUIC: " + run);
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

    @Test
    @Order(10)
    void whereUdpIsBlockedAutoFallsBackToTcpAndTcpAndUdpForwardsWork() throws Exception {
        net.blockUdp(7443);
        try {
            fallback = net.portgate(
                    net.home,
                    dir.resolve("other"),
                    "tunnel-endpoints:\n"
                            + "  - name: vps\n"
                            + "    server: " + CgnatNet.VPS + ":7443\n"
                            + "    token-file: " + dir.resolve("other.token") + "\n"
                            + "    server-fingerprint: \"sha256:" + fingerprint + "\"\n"
                            + "    transport: auto\n"
                            + "forwards:\n"
                            + "  - { name: o-tcp, kind: remote, via: vps, listen: 0.0.0.0:29000, target: 127.0.0.1:7000 }\n"
                            + "  - { name: o-udp, kind: remote, via: vps, protocol: udp, listen: 0.0.0.0:29000,"
                            + " target: 127.0.0.1:7100 }\n"
                            + "  - { name: o-db, kind: local, via: vps, listen: 127.0.0.1:15440, target: 127.0.0.1:7300 }\n",
                    CONSOLE + 1);
            await().atMost(LIMIT).until(() -> echoes(29000));
            fallbackSince = Instant.now();
            DatagramSocket player = peers.player(net.internet);
            await().atMost(LIMIT).until(() -> {
                send(player, 29000, "over tcp");
                try {
                    return receive(player).equals("7100:over tcp");
                } catch (IOException timeout) {
                    return false;
                }
            });
        } finally {
            net.clearPath();
        }
        assertThat(fallback.output())
                .contains("no QUIC answer from " + CgnatNet.VPS + ":7443")
                .contains("trying the TCP fallback")
                .contains("connected to " + CgnatNet.VPS + ":7443 over tcp");
        assertThat(net.api(net.vps, dir.resolve("vps"), CONSOLE, "/api/v1/tunnels"))
                .contains("\"transport\":\"tcp\"");
        assertTransferIntact(29000, 4 * 1024 * 1024, 11);
        // A local forward over the fallback: the server connects for the client.
        assertThat(echoesFrom(net.home, "127.0.0.1", 15440)).isTrue();
    }

    @Test
    @Order(11)
    void onALossyPathTheTcpFallbackLosesNoDatagramButMakesThemWait() throws Exception {
        Exchange run = exchangeOverLoss("tcp", 29000);
        // One reliable stream: every datagram arrives, in order — and each loss holds back everything behind it.
        assertThat(run.back()).hasSize(Exchange.SENT).isSorted().doesNotHaveDuplicates();
        System.out.println("lossy path, TCP fallback: " + run);
    }

    @Test
    @Order(12)
    void garbageOnTheFallbackPortDisturbsNothing() throws Exception {
        Random random = new Random(5);
        for (int i = 0; i < 20; i++) {
            try (Socket junk = TunnelPeers.connect(net.internet, CgnatNet.VPS_PUBLIC, 7443)) {
                byte[] b = new byte[1 + random.nextInt(4000)];
                random.nextBytes(b);
                if (i % 2 == 0) {
                    b[0] = 0x16; // a TLS handshake record's first byte, so the TLS layer reads on
                }
                junk.setSoTimeout(10_000);
                try {
                    junk.getOutputStream().write(b);
                    junk.shutdownOutput();
                    // The server answers garbage by closing: read until it does.
                    while (junk.getInputStream().read() >= 0) {
                        // an alert, then the end
                    }
                } catch (SocketException reset) {
                    // closed with our garbage unread: a reset, as it should be
                }
            }
        }
        assertThat(echoes(29000)).isTrue();
        assertThat(echoes(25565)).isTrue();
    }

    @Test
    @Order(13)
    void localAndDynamicForwardsGoThroughTheTunnelWithinPermitOpen() throws Exception {
        await().atMost(LIMIT).until(() -> echoesFrom(net.home, "127.0.0.1", 15432));
        // Outside permit-open: the server refuses, says why, and audits it; the client's connection just ends.
        try (Socket s = TunnelPeers.connect(net.home, "127.0.0.1", 15433)) {
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        } catch (SocketException reset) {
            // a reset says the same
        }
        await().atMost(LIMIT).until(() -> client.output().contains("may not open 127.0.0.1:7301 (permit-open"));
        assertThat(net.api(net.vps, dir.resolve("vps"), CONSOLE, "/api/v1/audit"))
                .contains("tunnel.open-refused");
        // SOCKS5 at home, the connection made by the server: the tunnel decides what it may reach.
        Socket viaSocks = InNamespace.call(net.home, () -> {
            Socket c = new Socket(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", 1080)));
            c.connect(InetSocketAddress.createUnresolved("127.0.0.1", 7300), 5000);
            return c;
        });
        try (viaSocks) {
            viaSocks.setSoTimeout(10_000);
            viaSocks.getOutputStream().write("socks\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(viaSocks.getInputStream().readNBytes(6), StandardCharsets.US_ASCII))
                    .isEqualTo("socks\n");
        }
    }

    @Test
    @Order(14)
    void aClientKnownByItsCertificateNeedsNoToken() throws Exception {
        JarProcess cardedClient = startCarded("carded-home", CONSOLE + 2);
        await().atMost(LIMIT).until(() -> echoes(29100));
        assertThat(cardedClient.output()).contains("client certificate sha256:" + KeyStores.fingerprint(carded));
        assertThat(server.output()).contains("tunnel: client \"carded\" connected");
        cardedHome = cardedClient;
    }

    @Test
    @Order(15)
    void aClientThatCrashesAndComesBackReplacesItsOldSessionAtOnce() throws Exception {
        // Killed: no goodbye, so the server still holds the old session (and its ports) until QUIC's idle time.
        cardedHome.close();
        JarProcess again = startCarded("carded-home-2", CONSOLE + 2);
        await().atMost(LIMIT).until(() -> echoes(29100));
        // Its ports were not refused as taken by its own old session.
        assertThat(again.output()).doesNotContain("exists already");
        assertThat(server.output()).contains("tunnel: client \"carded\" connected again from");
        // A second client with the same credentials while the first answers: refused, the first goes on.
        JarProcess twin = startCarded("carded-twin", CONSOLE + 3);
        await().atMost(LIMIT).until(() -> twin.output().contains("is connected already from"));
        assertThat(echoes(29100)).isTrue();
        assertThat(again.count("over quic")).isEqualTo(1);
        twin.close();
    }

    @Test
    @Order(16)
    void theFallbackLinkOutlivesTheIdleTimeWhileItsPingsFlow() {
        // Past QUIC's 30 s idle time since the fallback client connected (test 10), its one connection is still up.
        Assumptions.assumeTrue(fallbackSince != null, "runs after test 10, which starts the fallback client");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Duration.between(fallbackSince, Instant.now()).toSeconds() > 35);
        assertThat(echoes(29000)).isTrue();
        assertThat(fallback.count("connected to " + CgnatNet.VPS + ":7443 over tcp"))
                .isEqualTo(1);
    }

    private static JarProcess startCarded(String dataDir, int console) throws Exception {
        return net.portgate(
                net.home,
                dir.resolve(dataDir),
                "tunnel-endpoints:\n"
                        + "  - name: vps\n"
                        + "    server: " + CgnatNet.VPS + ":7443\n"
                        + "    client-certificate: " + carded.path() + "\n"
                        + "    server-fingerprint: \"sha256:" + fingerprint + "\"\n"
                        + "forwards:\n"
                        + "  - { name: c-tcp, kind: remote, via: vps, listen: 0.0.0.0:29100, target: 127.0.0.1:7000 }\n",
                console);
    }

    @Test
    @Order(17)
    void aPlayerWhoseServerHangsUpIsDisconnectedAndTheTunnelGoesOn() throws Exception {
        // Each player goes on sending to a server at home that reset its connection. Were the stream only
        // half-closed, its unread bytes would hold the tunnel's flow-control window: each player's writes would
        // block for good, and a few of them later every stream of the tunnel (iperf3 -P 8 stalled so).
        ExecutorService writers = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 24; i++) {
                try (Socket s = TunnelPeers.connect(net.internet, CgnatNet.VPS_PUBLIC, 27018)) {
                    Future<Long> sent = writers.submit(() -> sendUntilRefused(s, 64L * 1024 * 1024));
                    try {
                        assertThat(sent.get(20, TimeUnit.SECONDS))
                                .as("player %d was disconnected before 64 MiB", i)
                                .isLessThan(64L * 1024 * 1024);
                    } catch (TimeoutException e) {
                        throw new AssertionError("player " + i + " still connected after 20 s: its writes block", e);
                    }
                }
            }
        } finally {
            writers.shutdownNow();
        }
        assertTransferIntact(25565, 8 * 1024 * 1024, 23);
    }

    // --- helpers

    /** Writes to {@code s} until the connection is refused or {@code limit} bytes went; the bytes written. */
    private static long sendUntilRefused(Socket s, long limit) {
        byte[] chunk = new byte[64 * 1024];
        long sent = 0;
        try {
            while (sent < limit) {
                s.getOutputStream().write(chunk);
                sent += chunk.length;
            }
        } catch (IOException e) {
            // reset by the gateway: what a player whose server hung up sees
        }
        return sent;
    }

    /** Sends {@code size} random bytes through the echo behind {@code port}, half-closes, and checks what came back. */
    private static void assertTransferIntact(int port, int size, long seed) throws Exception {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        try (Socket s = TunnelPeers.connect(net.internet, CgnatNet.VPS_PUBLIC, port)) {
            s.setSoTimeout(30_000);
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
    }

    /** What came back of {@link #SENT} numbered datagrams, and how long each took. */
    private record Exchange(List<Integer> back, List<Long> micros) {
        static final int SENT = 300;

        @Override
        public String toString() {
            List<Long> sorted = micros.stream().sorted().toList();
            return String.format(
                    "%d of %d datagrams came back, in order; time there and back p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                    back.size(),
                    SENT,
                    sorted.get(sorted.size() / 2) / 1000.0,
                    sorted.get(sorted.size() * 99 / 100) / 1000.0,
                    sorted.get(sorted.size() - 1) / 1000.0);
        }
    }

    /**
     * Sends numbered datagrams one after the other to the echo on 7100 behind {@code port}, with 5% of the tunnel's
     * {@code protocol} packets dropped each way, and collects what comes back: a lost one is waited for 300 ms.
     */
    private static Exchange exchangeOverLoss(String protocol, int port) throws Exception {
        DatagramSocket player = peers.player(net.internet);
        player.setSoTimeout(300);
        long[] sentAt = new long[Exchange.SENT];
        Exchange run = new Exchange(new ArrayList<>(), new ArrayList<>());
        net.lose(protocol, 7443, 5);
        try {
            for (int i = 0; i < Exchange.SENT; i++) {
                sentAt[i] = System.nanoTime();
                send(player, port, "n" + i);
                collect(player, run, sentAt, i);
            }
            player.setSoTimeout(5000);
            collect(player, run, sentAt, Exchange.SENT - 1);
        } finally {
            net.clearPath();
        }
        return run;
    }

    /** Reads answers "7100:nK" until the one for {@code last}, or until a read times out. */
    private static void collect(DatagramSocket player, Exchange run, long[] sentAt, int last) {
        try {
            while (run.back().isEmpty() || run.back().get(run.back().size() - 1) < last) {
                String reply = receive(player);
                int n = Integer.parseInt(reply.substring("7100:n".length()));
                run.back().add(n);
                run.micros().add((System.nanoTime() - sentAt[n]) / 1000);
            }
        } catch (IOException late) {
            // not here yet: it is collected with a later one
        }
    }

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
        return echoesFrom(net.internet, CgnatNet.VPS_PUBLIC, port);
    }

    private static boolean echoesFrom(String ns, String host, int port) {
        try (Socket s = TunnelPeers.connect(ns, host, port)) {
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
