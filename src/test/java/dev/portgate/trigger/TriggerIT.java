package dev.portgate.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.forward.Origin;
import dev.portgate.testing.Net;
import dev.portgate.testing.TcpPeers;
import dev.portgate.testing.TestGateway;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Port triggering through a SOCKS forward on loopback: 127.0.0.2 and 127.0.0.3 play two LAN devices,
 * 127.0.0.1 the WAN side. A device reaching out to the trigger port gets the inbound port opened to
 * itself, for open-for; another device cannot take it meanwhile.
 */
class TriggerIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** Connects out through the SOCKS proxy from {@code device} to 127.0.0.1:{@code port}, says hello, reads the echo. */
    private static void reachOut(String device, int proxy, int port) throws IOException {
        try (Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", proxy)))) {
            s.bind(new InetSocketAddress(device, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(s.getInputStream().readNBytes(3)).isEqualTo("hi\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** What a WAN host gets on the opened port: the greeting of whichever device's server answers. */
    private static String inbound(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
            s.setSoTimeout(5000);
            return new String(s.getInputStream().readNBytes(9), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
    }

    private static TcpPeers greeter(String device, int port) throws IOException {
        return TcpPeers.start(InetAddress.getByName(device), port, (s, self) -> {
            try (s) {
                s.getOutputStream().write(device.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException ignored) {
                // the WAN side hung up
            }
        });
    }

    @Test
    void triggerTrafficOpensTheInboundPortToThatDeviceAloneForAWhile() throws Exception {
        int proxy = Net.freeTcpPort();
        int opened = Net.freeTcpPort();
        try (TcpPeers wanServer = TcpPeers.start(TcpPeers::echo);
                TcpPeers lanA = greeter("127.0.0.2", opened);
                TcpPeers lanB = greeter("127.0.0.3", opened);
                TestGateway gw = new TestGateway("forwards:\n  - name: proxy\n    kind: dynamic\n    listen: 127.0.0.1:"
                        + proxy
                        + "\n    permit-open: [ \"127.0.0.1:*\" ]\ntriggers:\n  - name: irc\n    trigger: tcp/"
                        + wanServer.port()
                        + "\n    open: [ tcp/" + opened + " ]\n    open-for: 3s\n    listen-address: 127.0.0.1\n")) {
            assertThat(inbound(opened)).as("closed before any trigger").isEmpty();

            reachOut("127.0.0.2", proxy, wanServer.port());
            await().atMost(LIMIT).until(() -> inbound(opened).equals("127.0.0.2"));
            var held = gw.gateway().triggers().held("irc").orElseThrow();
            assertThat(held.device().getHostAddress()).isEqualTo("127.0.0.2");

            // The other device's trigger traffic does not steal it.
            reachOut("127.0.0.3", proxy, wanServer.port());
            await().atMost(LIMIT).until(() -> gw.gateway().triggers().refused() == 1);
            assertThat(inbound(opened)).isEqualTo("127.0.0.2");
            assertThat(gw.gateway()
                            .triggers()
                            .held("irc")
                            .orElseThrow()
                            .device()
                            .getHostAddress())
                    .isEqualTo("127.0.0.2");

            // Without trigger traffic for open-for, the port closes; then B may take it.
            await().atMost(LIMIT).until(() -> inbound(opened).isEmpty());
            assertThat(gw.gateway().rules().forwards())
                    .extracting(f -> f.name())
                    .containsExactly("proxy");
            reachOut("127.0.0.3", proxy, wanServer.port());
            await().atMost(LIMIT).until(() -> inbound(opened).equals("127.0.0.3"));
            assertThat(gw.gateway().audit().list(50, Long.MAX_VALUE))
                    .anySatisfy(e -> assertThat(e.actor()).isEqualTo("trigger irc"));
        }
    }

    @Test
    void udpTriggerTrafficThroughSocksUdpAssociateOpensTheInboundPort() throws Exception {
        int proxy = Net.freeTcpPort();
        int opened = Net.freeTcpPort();
        try (DatagramSocket wan = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
                TcpPeers lanA = greeter("127.0.0.2", opened);
                TestGateway gw = new TestGateway("forwards:\n  - name: proxy\n    kind: dynamic\n    listen: 127.0.0.1:"
                        + proxy
                        + "\n    permit-open: [ \"127.0.0.1:*\" ]\ntriggers:\n  - name: game\n    trigger: udp/"
                        + wan.getLocalPort()
                        + "\n    open: [ tcp/" + opened + " ]\n    open-for: 1m\n    listen-address: 127.0.0.1\n");
                Socket control = new Socket()) {
            // SOCKS5 UDP ASSOCIATE from the device 127.0.0.2, then one datagram to the WAN host's trigger port.
            control.bind(new InetSocketAddress("127.0.0.2", 0));
            control.connect(new InetSocketAddress("127.0.0.1", proxy), 5000);
            control.setSoTimeout(10_000);
            var out = new DataOutputStream(control.getOutputStream());
            var in = new DataInputStream(control.getInputStream());
            out.write(new byte[] {5, 1, 0});
            assertThat(in.readNBytes(2)).containsExactly(5, 0);
            out.write(new byte[] {5, 3, 0, 1, 0, 0, 0, 0, 0, 0});
            byte[] reply = in.readNBytes(10);
            assertThat(reply[1]).as("UDP ASSOCIATE succeeded").isZero();
            InetSocketAddress relay = new InetSocketAddress(
                    InetAddress.getByAddress(Arrays.copyOfRange(reply, 4, 8)),
                    ((reply[8] & 0xff) << 8) | (reply[9] & 0xff));
            try (DatagramSocket device = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
                ByteBuffer b = ByteBuffer.allocate(10 + 5);
                b.putShort((short) 0)
                        .put((byte) 0)
                        .put((byte) 1)
                        .put(new byte[] {127, 0, 0, 1})
                        .putShort((short) wan.getLocalPort())
                        .put("hello".getBytes(StandardCharsets.US_ASCII));
                device.send(new DatagramPacket(b.array(), b.position(), relay));
                wan.setSoTimeout(10_000);
                DatagramPacket got = new DatagramPacket(new byte[64], 64);
                wan.receive(got);
                assertThat(new String(got.getData(), 0, got.getLength(), StandardCharsets.US_ASCII))
                        .isEqualTo("hello");
            }
            await().atMost(LIMIT).until(() -> inbound(opened).equals("127.0.0.2"));
            assertThat(gw.gateway()
                            .triggers()
                            .held("game")
                            .orElseThrow()
                            .device()
                            .getHostAddress())
                    .isEqualTo("127.0.0.2");
        }
    }

    @Test
    void aTriggerThatWouldClashWithAForwardIsRefusedAndTheForwardStays() throws Exception {
        int proxy = Net.freeTcpPort();
        int taken = Net.freeTcpPort();
        try (TcpPeers wanServer = TcpPeers.start(TcpPeers::echo);
                TcpPeers existing = greeter("127.0.0.1", Net.freeTcpPort());
                TestGateway gw = new TestGateway("forwards:\n  - name: proxy\n    kind: dynamic\n    listen: 127.0.0.1:"
                        + proxy
                        + "\n    permit-open: [ \"127.0.0.1:*\" ]\n  - name: mine\n    listen: 127.0.0.1:" + taken
                        + "\n    target: 127.0.0.1:"
                        + existing.port() + "\ntriggers:\n  - name: game\n    trigger: tcp/" + wanServer.port()
                        + "\n    open: [ tcp/" + taken + " ]\n    open-for: 1m\n    listen-address: 127.0.0.1\n")) {
            reachOut("127.0.0.2", proxy, wanServer.port());
            await().atMost(LIMIT).until(() -> gw.gateway().triggers().refused() == 1);
            assertThat(gw.gateway().triggers().held("game")).isEmpty();
            assertThat(inbound(taken))
                    .as("the configured forward still answers")
                    .isEqualTo("127.0.0.1");
            assertThat(gw.gateway().rules().get("mine").orElseThrow().origin().kind())
                    .isEqualTo(Origin.Kind.CONFIG);
            assertThat(gw.gateway().rules().forwards())
                    .extracting(f -> f.name())
                    .containsExactlyInAnyOrder("proxy", "mine");
        }
    }
}
