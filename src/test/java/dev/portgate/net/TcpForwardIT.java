package dev.portgate.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.rules.ForwardStatus;
import dev.portgate.testing.HttpFiles;
import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TcpPeers;
import dev.portgate.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** TCP forwards end to end on loopback, with curl and small servers as the peers. */
class TcpForwardIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    private static String forward(String name, String listen, String target, String extra) {
        return "  - name: " + name + "\n    listen: \"" + listen + "\"\n    target: \"" + target + "\"\n" + extra;
    }

    private static Processes.Result curl(String url) throws Exception {
        String curl = Peers.require("curl");
        return Processes.run(LIMIT, List.of(curl, "-sS", "-g", "--max-time", "25", url));
    }

    @Test
    void aClientThatSendsAndHalfClosesAtOnceStillGetsItsAnswer() throws Exception {
        // "echo hi | nc host port": the request and the FIN arrive before the target is even dialled.
        int port = Net.freeTcpPort();
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo);
                TestGateway gw = new TestGateway(
                        "forwards:\n" + forward("quick", "127.0.0.1:" + port, "127.0.0.1:" + echo.port(), ""))) {
            for (int i = 0; i < 5; i++) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                    assertThat(s.getInputStream().readAllBytes())
                            .as("attempt " + (i + 1))
                            .isEqualTo("hello\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
    }

    @Test
    void curlDownloadsAMultiMegabyteFileIntact() throws Exception {
        try (HttpFiles files = new HttpFiles(InetAddress.getLoopbackAddress(), 8 * 1024 * 1024)) {
            int port = Net.freeTcpPort();
            try (TestGateway gw = new TestGateway(
                    "forwards:\n" + forward("web", "127.0.0.1:" + port, "127.0.0.1:" + files.port(), ""))) {
                Processes.Result r = curl("http://127.0.0.1:" + port + "/file");
                assertThat(r.exit()).as(r.stderr()).isZero();
                assertThat(HttpFiles.sha256(r.stdout())).isEqualTo(files.sha256());
                await().atMost(LIMIT).until(() -> gw.stats("web").connectionsActive() == 0);
                ForwardStats.Snapshot s = gw.stats("web");
                assertThat(s.connectionsTotal()).isEqualTo(1);
                assertThat(s.bytesOut()).isGreaterThan(8L * 1024 * 1024);
                assertThat(s.bytesIn()).isGreaterThan(0);
            }
        }
    }

    @Test
    void ipv6OnBothSidesAndAcrossFamilies() throws Exception {
        Assumptions.assumeTrue(Net.ipv6Loopback(), "::1 is not usable on this machine");
        InetAddress v6 = InetAddress.getByName("::1");
        try (HttpFiles files = new HttpFiles(v6, 3 * 1024 * 1024)) {
            int p6 = Net.freeTcpPort();
            int p4 = Net.freeTcpPort();
            try (TestGateway gw = new TestGateway("forwards:\n"
                    + forward("six", "[::1]:" + p6, "[::1]:" + files.port(), "")
                    + forward("four-to-six", "127.0.0.1:" + p4, "[::1]:" + files.port(), ""))) {
                Processes.Result r6 = curl("http://[::1]:" + p6 + "/file");
                assertThat(r6.exit()).as(r6.stderr()).isZero();
                assertThat(HttpFiles.sha256(r6.stdout())).isEqualTo(files.sha256());
                Processes.Result r4 = curl("http://127.0.0.1:" + p4 + "/file");
                assertThat(r4.exit()).as(r4.stderr()).isZero();
                assertThat(HttpFiles.sha256(r4.stdout())).isEqualTo(files.sha256());
                assertThat(gw.stats("six").connectionsTotal()).isEqualTo(1);
            }
        }
    }

    @Test
    void aPortRangeForwardsEachPortToItsOwnTargetPort() throws Exception {
        int targets = Net.freeTcpRange(3);
        int listens = Net.freeTcpRange(3);
        TcpPeers[] servers = new TcpPeers[3];
        try {
            for (int i = 0; i < 3; i++) {
                servers[i] = TcpPeers.start(InetAddress.getLoopbackAddress(), targets + i, TcpPeers::sayPort);
            }
            try (TestGateway gw = new TestGateway("forwards:\n"
                    + forward(
                            "range",
                            "127.0.0.1:" + listens + "-" + (listens + 2),
                            "127.0.0.1:" + targets + "-" + (targets + 2),
                            ""))) {
                for (int i = 0; i < 3; i++) {
                    try (Socket s = new Socket("127.0.0.1", listens + i)) {
                        String line = new String(
                                s.getInputStream()
                                        .readNBytes(String.valueOf(targets + i).length()),
                                StandardCharsets.US_ASCII);
                        assertThat(line).isEqualTo(String.valueOf(targets + i));
                    }
                }
                assertThat(gw.stats("range").connectionsTotal()).isEqualTo(3);
            }
        } finally {
            for (TcpPeers s : servers) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    @Test
    void allowDenyAndMaxConnectionsRefuseAndCount() throws Exception {
        try (TcpPeers target = TcpPeers.start(TcpPeers::echo)) {
            int allowOnly = Net.freeTcpPort();
            int denied = Net.freeTcpPort();
            int limited = Net.freeTcpPort();
            String t = "127.0.0.1:" + target.port();
            try (TestGateway gw = new TestGateway("forwards:\n"
                    + forward("lan-only", "127.0.0.1:" + allowOnly, t, "    allow: [10.0.0.0/8, 2001:db8::/32]\n")
                    + forward("deny-local", "127.0.0.1:" + denied, t, "    deny: [127.0.0.0/8]\n")
                    + forward("two", "127.0.0.1:" + limited, t, "    max-connections: 2\n"))) {
                assertRefused(allowOnly);
                assertRefused(denied);
                assertThat(gw.stats("lan-only").refusedDenied()).isEqualTo(1);
                assertThat(gw.stats("deny-local").refusedDenied()).isEqualTo(1);
                assertThat(target.accepted())
                        .as("refused connections never reach the target")
                        .isZero();

                try (Socket a = new Socket("127.0.0.1", limited);
                        Socket b = new Socket("127.0.0.1", limited)) {
                    assertEchoes(a);
                    assertEchoes(b);
                    assertRefused(limited);
                    assertThat(gw.stats("two").refusedLimit()).isEqualTo(1);
                }
                await().atMost(LIMIT).until(() -> gw.stats("two").connectionsActive() == 0);
                try (Socket c = new Socket("127.0.0.1", limited)) {
                    assertEchoes(c);
                }
            }
        }
    }

    private static void assertEchoes(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII))
                .isEqualTo("ping\n");
    }

    /** The gateway accepts at the socket level, then resets: the client reads nothing. */
    private static void assertRefused(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            try {
                s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            } catch (IOException reset) {
                assertThat(reset.getMessage()).containsAnyOf("reset", "Broken pipe");
            }
        }
    }

    @Test
    void halfCloseLetsTheReplyFlowAfterTheClientStopsWriting() throws Exception {
        byte[] request = new byte[1024 * 1024];
        new Random(7).nextBytes(request);
        // The target reads until EOF, then answers with the request's hash and 2 MiB of data.
        try (TcpPeers target = TcpPeers.start((s, self) -> {
            try (s) {
                byte[] got = s.getInputStream().readAllBytes();
                s.getOutputStream().write((HttpFiles.sha256(got) + "\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(new byte[2 * 1024 * 1024]);
            } catch (IOException ignored) {
                // reported by the client's assertions
            }
        })) {
            int port = Net.freeTcpPort();
            try (TestGateway gw = new TestGateway(
                            "forwards:\n" + forward("half", "127.0.0.1:" + port, "127.0.0.1:" + target.port(), ""));
                    Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(20_000);
                s.getOutputStream().write(request);
                s.shutdownOutput();
                byte[] reply = s.getInputStream().readAllBytes();
                String hash = HttpFiles.sha256(request);
                assertThat(new String(reply, 0, hash.length(), StandardCharsets.US_ASCII))
                        .isEqualTo(hash);
                assertThat(reply.length).isEqualTo(hash.length() + 1 + 2 * 1024 * 1024);
                await().atMost(LIMIT).until(() -> gw.stats("half").connectionsActive() == 0);
            }
        }
    }

    @Test
    void aLongReplyToAHalfClosedClientThatIsNotReadingYetArrivesWhole() throws Exception {
        // The client half-closes before the reply starts and does not read until the gateway has filled its socket
        // and must wait for room (EPOLLOUT): the case in which Netty 4.2.18's epoll had lost track of the socket and
        // shut its output, cutting the reply short.
        int size = 16 * 1024 * 1024;
        try (TcpPeers target = TcpPeers.start((s, self) -> {
            try (s) {
                s.getInputStream().readAllBytes();
                s.getOutputStream().write(new byte[size]);
            } catch (IOException ignored) {
                // reported by the client's assertions
            }
        })) {
            int port = Net.freeTcpPort();
            try (TestGateway gw = new TestGateway(
                            "forwards:\n" + forward("slow", "127.0.0.1:" + port, "127.0.0.1:" + target.port(), ""));
                    Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(20_000);
                s.getOutputStream().write("go".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                // The relay stands still once every buffer on the way to the client is full.
                AtomicLong last = new AtomicLong(-1);
                await().atMost(LIMIT)
                        .during(Duration.ofMillis(500))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> {
                            long now = gw.stats("slow").bytesOut();
                            return now > 0 && now == last.getAndSet(now);
                        });
                assertThat(s.getInputStream().readAllBytes()).hasSize(size);
            }
        }
    }

    @Test
    void proxyProtocolV1AndV2CarryTheClientAddress() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            int v1 = Net.freeTcpPort();
            int v2 = Net.freeTcpPort();
            String t = "127.0.0.1:" + target.getLocalPort();
            try (TestGateway gw = new TestGateway("forwards:\n"
                    + forward("pp1", "127.0.0.1:" + v1, t, "    proxy-protocol: v1\n")
                    + forward("pp2", "127.0.0.1:" + v2, t, "    proxy-protocol: v2\n"))) {
                try (Socket client = new Socket("127.0.0.1", v1)) {
                    client.getOutputStream().write("after".getBytes(StandardCharsets.US_ASCII));
                    try (Socket in = accept(target)) {
                        String header = readLine(in.getInputStream());
                        assertThat(header)
                                .isEqualTo("PROXY TCP4 127.0.0.1 127.0.0.1 " + client.getLocalPort() + " " + v1);
                        assertThat(new String(in.getInputStream().readNBytes(5), StandardCharsets.US_ASCII))
                                .isEqualTo("after");
                    }
                }
                try (Socket client = new Socket("127.0.0.1", v2)) {
                    client.getOutputStream().write("after".getBytes(StandardCharsets.US_ASCII));
                    try (Socket in = accept(target)) {
                        DataInputStream d = new DataInputStream(in.getInputStream());
                        byte[] sig = d.readNBytes(12);
                        assertThat(sig)
                                .containsExactly(
                                        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A);
                        assertThat(d.readUnsignedByte()).as("version 2, PROXY").isEqualTo(0x21);
                        assertThat(d.readUnsignedByte()).as("TCP over IPv4").isEqualTo(0x11);
                        int len = d.readUnsignedShort();
                        assertThat(len).isGreaterThanOrEqualTo(12);
                        byte[] src = d.readNBytes(4);
                        byte[] dst = d.readNBytes(4);
                        int srcPort = d.readUnsignedShort();
                        int dstPort = d.readUnsignedShort();
                        d.readNBytes(len - 12);
                        assertThat(InetAddress.getByAddress(src).getHostAddress())
                                .isEqualTo("127.0.0.1");
                        assertThat(InetAddress.getByAddress(dst).getHostAddress())
                                .isEqualTo("127.0.0.1");
                        assertThat(srcPort).isEqualTo(client.getLocalPort());
                        assertThat(dstPort).isEqualTo(v2);
                        assertThat(new String(d.readNBytes(5), StandardCharsets.US_ASCII))
                                .isEqualTo("after");
                    }
                }
            }
        }
    }

    private static Socket accept(ServerSocket server) throws IOException {
        server.setSoTimeout(10_000);
        Socket s = server.accept();
        s.setSoTimeout(10_000);
        return s;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            b.write(c);
        }
        String s = b.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Test
    void garbageAndResetsDoNotDisturbOtherConnections() throws Exception {
        try (HttpFiles files = new HttpFiles(InetAddress.getLoopbackAddress(), 16 * 1024 * 1024)) {
            int port = Net.freeTcpPort();
            try (TestGateway gw = new TestGateway(
                    "forwards:\n" + forward("web", "127.0.0.1:" + port, "127.0.0.1:" + files.port(), ""))) {
                CompletableFuture<Processes.Result> download = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Processes.run(
                                LIMIT,
                                List.of(
                                        Peers.require("curl"),
                                        "-sS",
                                        "--limit-rate",
                                        "8M",
                                        "--max-time",
                                        "25",
                                        "http://127.0.0.1:" + port + "/file"));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                await().atMost(LIMIT).until(() -> gw.stats("web").connectionsActive() >= 1);
                Random random = new Random(1);
                for (int i = 0; i < 50; i++) {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        byte[] junk = new byte[random.nextInt(4096) + 1];
                        random.nextBytes(junk);
                        s.getOutputStream().write(junk);
                        if (i % 3 == 0) {
                            s.setSoLinger(true, 0); // close with RST
                        } else if (i % 3 == 1) {
                            s.shutdownOutput();
                        }
                    }
                }
                Processes.Result r = download.get(40, TimeUnit.SECONDS);
                assertThat(r.exit()).as(r.stderr()).isZero();
                assertThat(HttpFiles.sha256(r.stdout())).isEqualTo(files.sha256());
                await().atMost(LIMIT).until(() -> gw.stats("web").connectionsActive() == 0);
                assertThat(gw.stats("web").connectionsTotal()).isEqualTo(51);
                assertThat(gw.status("web").state()).isEqualTo(ForwardStatus.State.LISTENING);
            }
        }
    }

    @Test
    void anUnreachableTargetClosesTheClientAndIsCounted() throws Exception {
        int closedPort = Net.freeTcpPort();
        int port = Net.freeTcpPort();
        try (TestGateway gw =
                new TestGateway("forwards:\n" + forward("dead", "127.0.0.1:" + port, "127.0.0.1:" + closedPort, ""))) {
            assertRefused(port);
            await().atMost(LIMIT).until(() -> gw.stats("dead").dialFailures() == 1);
            assertThat(gw.status("dead").state()).isEqualTo(ForwardStatus.State.LISTENING);
        }
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        try (TcpPeers target = TcpPeers.start(TcpPeers::echo)) {
            int port = Net.freeTcpPort();
            try (TestGateway gw = new TestGateway("forwards:\n"
                            + forward(
                                    "idle",
                                    "127.0.0.1:" + port,
                                    "127.0.0.1:" + target.port(),
                                    "    idle-timeout: 1s\n"));
                    Socket s = new Socket("127.0.0.1", port)) {
                assertEchoes(s);
                s.setSoTimeout(15_000);
                assertThat(s.getInputStream().read())
                        .as("closed by the gateway after 1 s idle")
                        .isEqualTo(-1);
                await().atMost(LIMIT).until(() -> gw.stats("idle").connectionsActive() == 0);
            }
        }
    }

    @Test
    void aPortHeldElsewhereFailsThatForwardOnlyWithTheOsReason() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                TcpPeers target = TcpPeers.start(TcpPeers::echo)) {
            int free = Net.freeTcpPort();
            String t = "127.0.0.1:" + target.port();
            try (TestGateway gw = new TestGateway("forwards:\n"
                    + forward("taken", "127.0.0.1:" + squatter.getLocalPort(), t, "")
                    + forward("fine", "127.0.0.1:" + free, t, ""))) {
                ForwardStatus taken = gw.status("taken");
                assertThat(taken.state()).isEqualTo(ForwardStatus.State.FAILED);
                assertThat(taken.error())
                        .isEqualTo("cannot listen on tcp 127.0.0.1:" + squatter.getLocalPort()
                                + ": Address already in use");
                assertThat(gw.status("fine").state()).isEqualTo(ForwardStatus.State.LISTENING);
                try (Socket s = new Socket("127.0.0.1", free)) {
                    assertEchoes(s);
                }
            }
        }
    }

    @Test
    void editingOneForwardKeepsConnectionsAndDisablingClosesThem() throws Exception {
        try (TcpPeers a = TcpPeers.start(TcpPeers::echo);
                TcpPeers b = TcpPeers.start(TcpPeers::echo)) {
            int port = Net.freeTcpPort();
            int moved = Net.freeTcpPort();
            try (TestGateway gw = new TestGateway(
                            "forwards:\n" + forward("f", "127.0.0.1:" + port, "127.0.0.1:" + a.port(), ""));
                    Socket first = new Socket("127.0.0.1", port)) {
                assertEchoes(first);
                gw.apply("forwards:\n" + forward("f", "127.0.0.1:" + port, "127.0.0.1:" + b.port(), ""));
                assertEchoes(first); // the old connection goes on, to the old target
                try (Socket second = new Socket("127.0.0.1", port)) {
                    assertEchoes(second);
                    await().atMost(LIMIT).until(() -> b.accepted() == 1); // new ones go to the new target
                }
                gw.apply("forwards:\n" + forward("f", "127.0.0.1:" + moved, "127.0.0.1:" + b.port(), ""));
                assertEchoes(first); // moving the listen port keeps it too
                try (Socket third = new Socket("127.0.0.1", moved)) {
                    assertEchoes(third);
                }
                gw.apply("forwards:\n"
                        + forward("f", "127.0.0.1:" + moved, "127.0.0.1:" + b.port(), "    enabled: false\n"));
                first.setSoTimeout(10_000);
                assertThat(first.getInputStream().read())
                        .as("disabling closes its connections")
                        .isEqualTo(-1);
                assertThat(gw.status("f").state()).isEqualTo(ForwardStatus.State.DISABLED);
                assertThat(new Socket().isConnected()).isFalse();
                try (Socket probe = new Socket()) {
                    Assertions.assertThatThrownBy(() -> probe.connect(new InetSocketAddress("127.0.0.1", moved), 5000))
                            .hasMessageContaining("refused");
                }
            }
        }
    }
}
