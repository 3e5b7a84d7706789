package dev.portgate.socks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.policy.PasswordHash;
import dev.portgate.testing.HttpFiles;
import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TcpPeers;
import dev.portgate.testing.TestGateway;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The proxy with curl and with small clients written here: SOCKS5, SOCKS4a, HTTP, auth, policy, UDP ASSOCIATE, bad input. */
class SocksIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    static HttpFiles files;
    static TestGateway gw;
    static int open;
    static int auth;
    static String hash;

    @BeforeAll
    static void start() throws Exception {
        files = new HttpFiles(InetAddress.getLoopbackAddress(), 4 * 1024 * 1024);
        open = Net.freeTcpPort();
        auth = Net.freeTcpPort();
        hash = PasswordHash.hash("bobs-secret".toCharArray());
        gw = new TestGateway("forwards:\n"
                + "  - name: proxy\n    kind: dynamic\n    listen: 127.0.0.1:" + open
                + "\n    protocols: [socks5, socks4a, http]\n"
                + "    permit-open: [\"127.0.0.0/8:*\", \"localhost:*\"]\n    deny-open: [\"127.0.0.2:*\", \"blocked.example:*\"]\n"
                + "  - name: private\n    kind: dynamic\n    listen: 127.0.0.1:" + auth + "\n"
                + "    users: [ { name: bob, password-hash: \"" + hash + "\" } ]\n    permit-open: [\"*:*\"]\n");
    }

    @AfterAll
    static void stop() {
        gw.close();
        files.close();
    }

    private static Processes.Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("curl"), "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        return Processes.run(LIMIT, cmd);
    }

    @Test
    void curlThroughEveryProxyFlavourGetsTheBodyIntact() throws Exception {
        String url = "http://127.0.0.1:" + files.port() + "/file";
        String byName = "http://localhost:" + files.port() + "/file";
        for (List<String> args : List.of(
                List.of("--socks5", "127.0.0.1:" + open, url),
                List.of("--socks5-hostname", "127.0.0.1:" + open, byName),
                List.of("--socks4a", "127.0.0.1:" + open, byName),
                List.of("--proxy", "http://127.0.0.1:" + open, url),
                List.of("--proxytunnel", "--proxy", "http://127.0.0.1:" + open, byName),
                List.of("--socks5", "bob:bobs-secret@127.0.0.1:" + auth, url),
                List.of("--proxy", "http://127.0.0.1:" + auth, "--proxy-user", "bob:bobs-secret", url))) {
            long before =
                    gw.stats("proxy").connectionsTotal() + gw.stats("private").connectionsTotal();
            Processes.Result r = curl(args.toArray(String[]::new));
            assertThat(r.exit()).as(args + ": " + r.stderr()).isZero();
            assertThat(HttpFiles.sha256(r.stdout())).as(args.toString()).isEqualTo(files.sha256());
            assertThat(gw.stats("proxy").connectionsTotal()
                            + gw.stats("private").connectionsTotal())
                    .isEqualTo(before + 1);
        }
        await().atMost(LIMIT).until(() -> gw.stats("proxy").connectionsActive() == 0);
        assertThat(gw.stats("proxy").bytesOut()).isGreaterThan(5L * 4 * 1024 * 1024);
    }

    @Test
    void wrongPasswordsAndDeniedDestinationsGetTheirCodes() throws Exception {
        Processes.Result wrong =
                curl("--socks5", "bob:nope@127.0.0.1:" + auth, "http://127.0.0.1:" + files.port() + "/file");
        assertThat(wrong.exit()).isEqualTo(97);
        assertThat(wrong.stderr()).contains("User was rejected by the SOCKS5 server");
        Processes.Result noAuth = curl(
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--proxy",
                "http://127.0.0.1:" + auth,
                "http://127.0.0.1:" + files.port() + "/file");
        assertThat(noAuth.out()).isEqualTo("407");
        Processes.Result wrongHttp = curl(
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--proxy",
                "http://127.0.0.1:" + auth,
                "--proxy-user",
                "bob:nope",
                "http://127.0.0.1:" + files.port() + "/file");
        assertThat(wrongHttp.out()).isEqualTo("407");

        // 127.0.0.2 is in deny-open; 10.0.0.1 is outside permit-open: never dialled.
        Processes.Result denied = curl(
                "-o", "/dev/null", "-w", "%{http_code}", "--proxy", "http://127.0.0.1:" + open, "http://127.0.0.2:9/");
        assertThat(denied.out()).isEqualTo("403");
        assertThat(socks5Connect(open, null, new byte[] {1, 127, 0, 0, 2}, 9)).isEqualTo(2);
        assertThat(socks5Connect(open, null, domain("blocked.example"), 80)).isEqualTo(2);
        assertThat(socks5Connect(open, null, new byte[] {1, 10, 0, 0, 1}, 80))
                .as("outside permit-open (a netns-less test never reaches 10.x)")
                .isEqualTo(2);
        // A closed port: connection refused (5); an unknown address type: 8; BIND: 7.
        assertThat(socks5Connect(open, null, new byte[] {1, 127, 0, 0, 1}, Net.freeTcpPort()))
                .isEqualTo(5);
        assertThat(socks5Raw(open, new byte[] {5, 1, 0, 9, 1, 2, 3, 4, 0, 80})).isEqualTo(8);
        assertThat(socks5Raw(open, new byte[] {5, 2, 0, 1, 127, 0, 0, 1, 0, 80}))
                .isEqualTo(7);
    }

    private static byte[] domain(String name) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[2 + n.length];
        out[0] = 3;
        out[1] = (byte) n.length;
        System.arraycopy(n, 0, out, 2, n.length);
        return out;
    }

    /** SOCKS5 CONNECT by hand; returns the reply code. {@code address} is ATYP followed by the address. */
    static int socks5Connect(int proxy, String[] user, byte[] address, int port) throws IOException {
        byte[] req = new byte[3 + address.length + 2];
        req[0] = 5;
        req[1] = 1;
        System.arraycopy(address, 0, req, 3, address.length);
        req[req.length - 2] = (byte) (port >> 8);
        req[req.length - 1] = (byte) port;
        return socks5Raw(proxy, req);
    }

    static int socks5Raw(int proxy, byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", proxy)) {
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(new byte[] {5, 1, 0});
            assertThat(in.readUnsignedByte()).isEqualTo(5);
            assertThat(in.readUnsignedByte()).isEqualTo(0);
            out.write(request);
            assertThat(in.readUnsignedByte()).isEqualTo(5);
            return in.readUnsignedByte();
        }
    }

    @Test
    void udpAssociateRelaysDatagramsAndEndsWithItsTcpConnection() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                Socket control = new Socket("127.0.0.1", open);
                DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread echoer = new Thread(() -> {
                byte[] buf = new byte[65536];
                for (int i = 0; i < 50; i++) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        echo.receive(p);
                        echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            echoer.setDaemon(true);
            echoer.start();
            control.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(control.getOutputStream());
            DataInputStream in = new DataInputStream(control.getInputStream());
            out.write(new byte[] {5, 1, 0});
            assertThat(in.readNBytes(2)).containsExactly(5, 0);
            out.write(new byte[] {5, 3, 0, 1, 0, 0, 0, 0, 0, 0});
            assertThat(in.readUnsignedByte()).isEqualTo(5);
            assertThat(in.readUnsignedByte()).as("UDP ASSOCIATE succeeded").isEqualTo(0);
            in.readUnsignedByte();
            assertThat(in.readUnsignedByte()).isEqualTo(1);
            InetAddress relayAddress = InetAddress.getByAddress(in.readNBytes(4));
            int relayPort = in.readUnsignedShort();
            InetSocketAddress relay = new InetSocketAddress(relayAddress, relayPort);

            client.setSoTimeout(5000);
            for (String msg : List.of("one", "two", "three")) {
                client.send(wrap(msg.getBytes(StandardCharsets.UTF_8), echo.getLocalPort(), relay));
                DatagramPacket reply = new DatagramPacket(new byte[65536], 65536);
                client.receive(reply);
                ByteBuffer b = ByteBuffer.wrap(reply.getData(), 0, reply.getLength());
                assertThat(b.getShort()).isZero();
                assertThat(b.get()).isZero();
                assertThat(b.get()).isEqualTo((byte) 1);
                byte[] from = new byte[4];
                b.get(from);
                assertThat(InetAddress.getByAddress(from).getHostAddress()).isEqualTo("127.0.0.1");
                assertThat(b.getShort() & 0xffff).isEqualTo(echo.getLocalPort());
                byte[] data = new byte[b.remaining()];
                b.get(data);
                assertThat(new String(data, StandardCharsets.UTF_8)).isEqualTo(msg);
            }
            // Datagrams from another socket than the client's are dropped, even from the same address.
            try (DatagramSocket stranger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                stranger.setSoTimeout(500);
                long droppedBefore = gw.stats("proxy").packetsDropped();
                stranger.send(wrap("intruder".getBytes(StandardCharsets.UTF_8), echo.getLocalPort(), relay));
                try {
                    stranger.receive(new DatagramPacket(new byte[100], 100));
                    throw new AssertionError("a stranger's datagram was relayed");
                } catch (SocketTimeoutException expected) {
                    await().atMost(LIMIT).until(() -> gw.stats("proxy").packetsDropped() > droppedBefore);
                }
            }
            // A fragment is dropped, as RFC 1928 allows; the association goes on.
            byte[] frag = wrap("frag".getBytes(StandardCharsets.UTF_8), echo.getLocalPort(), relay)
                    .getData();
            frag[2] = 1;
            client.send(new DatagramPacket(frag, frag.length, relay));
            client.setSoTimeout(500);
            try {
                client.receive(new DatagramPacket(new byte[100], 100));
                throw new AssertionError("a fragment should have been dropped");
            } catch (SocketTimeoutException expected) {
                assertThat(gw.stats("proxy").packetsDropped()).isPositive();
            }
            control.close();
            await().atMost(LIMIT).until(() -> gw.stats("proxy").connectionsActive() == 0);
            client.send(wrap("after".getBytes(StandardCharsets.UTF_8), echo.getLocalPort(), relay));
            try {
                client.receive(new DatagramPacket(new byte[100], 100));
                throw new AssertionError("the association should have ended with its TCP connection");
            } catch (SocketTimeoutException | PortUnreachableException expected) {
                assertThat(expected).isNotNull();
            }
        }
    }

    private static DatagramPacket wrap(byte[] data, int port, InetSocketAddress relay) {
        ByteBuffer b = ByteBuffer.allocate(10 + data.length);
        b.putShort((short) 0)
                .put((byte) 0)
                .put((byte) 1)
                .put(new byte[] {127, 0, 0, 1})
                .putShort((short) port)
                .put(data);
        return new DatagramPacket(b.array(), b.position(), relay);
    }

    /** RFC 9112 §6.3: a request whose body length two parties could read differently is refused, never passed on. */
    @Test
    void ambiguousBodyLengthsAreRefusedBeforeTheOriginIsReached() throws Exception {
        try (TcpPeers origin = TcpPeers.start(TcpPeers::echo)) {
            String target = "POST http://127.0.0.1:" + origin.port() + "/ HTTP/1.1\r\nHost: 127.0.0.1\r\n";
            for (String framing : List.of(
                    "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                    "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                    "Content-Length: 5\r\nContent-Length: 6\r\n",
                    "Content-Length: 5, 6\r\n",
                    "Content-Length: -5\r\n",
                    "Transfer-Encoding: chunked, identity\r\n",
                    "Content-Length : 5\r\n")) {
                try (Socket s = new Socket("127.0.0.1", open)) {
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write((target + framing + "\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                    assertThat(answer).as(framing).startsWith("HTTP/1.1 400");
                }
            }
            assertThat(origin.accepted())
                    .as("the origin never saw a connection")
                    .isZero();
        }
    }

    @Test
    void garbageTruncatedAndSlowHandshakesDisturbNobody() throws Exception {
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo);
                Socket good = new Socket("127.0.0.1", open)) {
            // A tunnel that is up before, and must still work after, the garbage.
            good.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(good.getOutputStream());
            DataInputStream in = new DataInputStream(good.getInputStream());
            out.write(new byte[] {5, 1, 0});
            in.readNBytes(2);
            out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (echo.port() >> 8), (byte) echo.port()});
            assertThat(in.readNBytes(4)[1]).isZero();
            in.readNBytes(6);

            for (byte[] junk : List.of(
                    new byte[] {5},
                    new byte[] {5, 0},
                    new byte[] {6, 1, 0},
                    new byte[] {0, 0, 0, 0},
                    "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                    "NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                    ("CONNECT " + "a".repeat(300) + ":80 HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII),
                    ("GET http://x/ HTTP/1.1\r\n" + "X: " + "y".repeat(20_000) + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII))) {
                try (Socket s = new Socket("127.0.0.1", open)) {
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write(junk);
                    s.shutdownOutput();
                    s.getInputStream().readAllBytes(); // answered or closed; never hangs past the handshake deadline
                } catch (IOException reset) {
                    assertThat(reset.getMessage()).isNotNull();
                }
            }
            out.write("still here\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(in.readNBytes(11), StandardCharsets.US_ASCII)).isEqualTo("still here\n");
        }
        Processes.Result http400 = curl("-i", "http://127.0.0.1:" + open + "/not-a-proxy-request");
        assertThat(http400.out()).startsWith("HTTP/1.1 400 Bad Request").contains("this is a proxy");
    }
}
