package dev.portgate.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TestGateway;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** UDP forwards with socat as the echo peer: a NAT table that routes replies to the right client. */
class UdpForwardIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    private final List<Process> peers = new ArrayList<>();

    @AfterEach
    void stopPeers() {
        peers.forEach(Processes::stop);
    }

    /** socat echoes each client's datagrams back to it (one child per client address). */
    private int socatEcho() throws Exception {
        String socat = Peers.require("socat");
        int port = Net.freeUdpPort();
        peers.add(Processes.start(
                List.of(socat, "-b", "65536", "UDP4-LISTEN:" + port + ",bind=127.0.0.1,fork,reuseaddr", "PIPE")));
        // socat is ready when a datagram sent to it directly comes back.
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            probe.setSoTimeout(200);
            await().atMost(LIMIT).ignoreExceptions().until(() -> exchange(probe, port, "probe")
                    .equals("probe"));
        }
        return port;
    }

    private static String exchange(DatagramSocket socket, int port, String text) throws IOException {
        byte[] out = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(out, out.length, new InetSocketAddress("127.0.0.1", port)));
        byte[] in = new byte[65536];
        DatagramPacket reply = new DatagramPacket(in, in.length);
        socket.receive(reply);
        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
    }

    private static String forward(String name, String listen, String target, String extra) {
        return "  - name: " + name + "\n    protocol: udp\n    listen: \"" + listen + "\"\n    target: \"" + target
                + "\"\n" + extra;
    }

    @Test
    void repliesComeBackToTheRightOneOfSeveralClients() throws Exception {
        int echo = socatEcho();
        int port = Net.freeUdpPort();
        try (TestGateway gw =
                new TestGateway("forwards:\n" + forward("echo", "127.0.0.1:" + port, "127.0.0.1:" + echo, ""))) {
            List<DatagramSocket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    DatagramSocket c = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                    c.setSoTimeout(5000);
                    clients.add(c);
                }
                for (int round = 0; round < 5; round++) {
                    for (int i = 0; i < clients.size(); i++) {
                        String msg = "client " + i + " round " + round;
                        assertThat(exchange(clients.get(i), port, msg)).isEqualTo(msg);
                    }
                }
                // A full-size datagram survives intact too.
                String big = "x".repeat(60_000);
                String back = exchange(clients.get(0), port, big);
                assertThat(back.length()).isEqualTo(big.length());
                assertThat(back.equals(big))
                        .as("60 000-byte datagram came back unchanged")
                        .isTrue();
                ForwardStats.Snapshot s = gw.stats("echo");
                assertThat(s.sessionsActive()).isEqualTo(4);
                assertThat(s.sessionsTotal()).isEqualTo(4);
                assertThat(s.packetsIn()).isEqualTo(21);
                assertThat(s.packetsOut()).isEqualTo(21);
            } finally {
                clients.forEach(DatagramSocket::close);
            }
        }
    }

    @Test
    void idleSessionsExpireAndMaxSessionsRefuses() throws Exception {
        int echo = socatEcho();
        int port = Net.freeUdpPort();
        try (TestGateway gw = new TestGateway("forwards:\n"
                        + forward(
                                "one",
                                "127.0.0.1:" + port,
                                "127.0.0.1:" + echo,
                                "    idle-timeout: 1s\n    max-connections: 1\n"));
                DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket b = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            a.setSoTimeout(5000);
            b.setSoTimeout(1000);
            assertThat(exchange(a, port, "first")).isEqualTo("first");
            try {
                exchange(b, port, "second");
                throw new AssertionError("a second session should have been refused");
            } catch (SocketTimeoutException expected) {
                assertThat(gw.stats("one").refusedLimit()).isEqualTo(1);
            }
            await().atMost(LIMIT).until(() -> gw.stats("one").sessionsActive() == 0);
            b.setSoTimeout(5000);
            assertThat(exchange(b, port, "now me")).isEqualTo("now me");
        }
    }

    @Test
    void aUdpPortRangeMapsOneToOne() throws Exception {
        int echoA = socatEcho();
        int listen = Net.freeUdpPort();
        try (TestGateway gw = new TestGateway("forwards:\n"
                        + forward(
                                "range",
                                "127.0.0.1:" + listen + "-" + (listen + 1),
                                "127.0.0.1:" + echoA + "-" + (echoA + 1),
                                ""));
                DatagramSocket c = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            c.setSoTimeout(5000);
            assertThat(exchange(c, listen, "to the first")).isEqualTo("to the first");
            // The second port maps to echoA+1, where nobody listens: the reply never comes, and the session ends.
            c.setSoTimeout(500);
            try {
                exchange(c, listen + 1, "nobody");
                throw new AssertionError("no reply expected from an unused port");
            } catch (SocketTimeoutException expected) {
                assertThat(gw.stats("range").sessionsTotal()).isEqualTo(2);
            }
        }
    }
}
