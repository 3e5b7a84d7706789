package dev.portgate.tunnel;

import dev.portgate.testing.InNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The targets at home and the players on the internet, as plain sockets inside the test's namespaces. */
final class TunnelPeers implements AutoCloseable {

    private final List<AutoCloseable> open = new ArrayList<>();

    /** A TCP echo server on {@code port} in {@code ns}. */
    void tcpEcho(String ns, int port) throws Exception {
        ServerSocket server = InNamespace.call(ns, () -> new ServerSocket(port, 128, InetAddress.getByName("0.0.0.0")));
        open.add(server);
        accept(server, s -> {
            byte[] buf = new byte[65536];
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
            s.shutdownOutput();
        });
    }

    /** A TCP server that answers each connection with the first line it got (a PROXY v1 header, here). */
    void tcpFirstLine(String ns, int port) throws Exception {
        ServerSocket server = InNamespace.call(ns, () -> new ServerSocket(port, 128, InetAddress.getByName("0.0.0.0")));
        open.add(server);
        accept(server, s -> {
            StringBuilder line = new StringBuilder();
            InputStream in = s.getInputStream();
            for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
                line.append((char) c);
            }
            s.getOutputStream().write((line.toString().strip() + "\n").getBytes(StandardCharsets.US_ASCII));
            s.close();
        });
    }

    /** A TCP server that takes one byte of each connection and hangs up with a reset, as a crashing server does. */
    void tcpHangUp(String ns, int port) throws Exception {
        ServerSocket server = InNamespace.call(ns, () -> new ServerSocket(port, 128, InetAddress.getByName("0.0.0.0")));
        open.add(server);
        accept(server, s -> {
            s.getInputStream().read();
            s.setSoLinger(true, 0);
        });
    }

    /** A UDP echo server that answers "PORT:payload", so a player sees which target port it reached. */
    void udpEcho(String ns, int port) throws Exception {
        DatagramSocket socket = InNamespace.call(ns, () -> new DatagramSocket(new InetSocketAddress("0.0.0.0", port)));
        open.add(socket);
        serve(socket, (payload, from) -> (port + ":" + new String(payload, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8));
    }

    /** A UDP server that reads the PROXY v2 header of each datagram and answers with the source it names. */
    void udpWho(String ns, int port) throws Exception {
        DatagramSocket socket = InNamespace.call(ns, () -> new DatagramSocket(new InetSocketAddress("0.0.0.0", port)));
        open.add(socket);
        serve(socket, (payload, from) -> proxyV2Source(payload).getBytes(StandardCharsets.UTF_8));
    }

    /** "ip:port" of the v2 header's source, or "no header". */
    static String proxyV2Source(byte[] d) {
        byte[] sig = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
        if (d.length < 28 || !Arrays.equals(Arrays.copyOf(d, 12), sig) || d[12] != 0x21 || d[13] != 0x12) {
            return "no header";
        }
        ByteBuffer b = ByteBuffer.wrap(d, 16, d.length - 16);
        byte[] src = new byte[4];
        b.get(src);
        b.position(b.position() + 4);
        int sport = Short.toUnsignedInt(b.getShort());
        try {
            return InetAddress.getByAddress(src).getHostAddress() + ":" + sport;
        } catch (IOException e) {
            return "bad header";
        }
    }

    /** A player's UDP socket in {@code ns}. */
    DatagramSocket player(String ns) throws Exception {
        DatagramSocket s = InNamespace.call(ns, () -> new DatagramSocket(new InetSocketAddress("0.0.0.0", 0)));
        s.setSoTimeout(3000);
        open.add(s);
        return s;
    }

    /** A TCP connection from {@code ns}. */
    static Socket connect(String ns, String host, int port) throws Exception {
        Socket s = InNamespace.call(ns, () -> {
            Socket c = new Socket();
            c.connect(new InetSocketAddress(host, port), 5000);
            return c;
        });
        s.setSoTimeout(20_000);
        return s;
    }

    interface Conversation {
        void run(Socket s) throws IOException;
    }

    interface Answer {
        byte[] to(byte[] payload, InetSocketAddress from);
    }

    private static void accept(ServerSocket server, Conversation each) {
        Thread t = new Thread(
                () -> {
                    while (!server.isClosed()) {
                        try {
                            Socket s = server.accept();
                            Thread c = new Thread(
                                    () -> {
                                        try (s) {
                                            each.run(s);
                                        } catch (IOException e) {
                                            // the peer went
                                        }
                                    },
                                    "peer-conn");
                            c.setDaemon(true);
                            c.start();
                        } catch (IOException e) {
                            return;
                        }
                    }
                },
                "peer-accept");
        t.setDaemon(true);
        t.start();
    }

    private static void serve(DatagramSocket socket, Answer answer) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[65536];
                    while (!socket.isClosed()) {
                        try {
                            DatagramPacket p = new DatagramPacket(buf, buf.length);
                            socket.receive(p);
                            byte[] reply = answer.to(
                                    Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength()),
                                    (InetSocketAddress) p.getSocketAddress());
                            socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                        } catch (IOException e) {
                            if (socket.isClosed()) {
                                return;
                            }
                        }
                    }
                },
                "peer-udp");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // closing test peers
            }
        }
    }
}
