package dev.portgate.igd;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** A PCP client written for the tests (RFC 6887 byte layout), able to send wrong packets on purpose. */
final class PcpTestClient implements AutoCloseable {

    record Answer(
            int version,
            int opcode,
            int result,
            long lifetime,
            long epoch,
            int externalPort,
            InetAddress externalAddress,
            byte[] raw) {}

    private final DatagramSocket socket;

    PcpTestClient(int port) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(5000);
    }

    static byte[] map(
            byte[] nonce, int protocol, int internalPort, int suggested, long lifetime, String clientIp, byte[] options)
            throws IOException {
        ByteBuffer b = ByteBuffer.allocate(60 + options.length);
        b.put((byte) 2).put((byte) 1).putShort((short) 0).putInt((int) lifetime).put(mapped(clientIp));
        b.put(nonce)
                .put((byte) protocol)
                .put(new byte[3])
                .putShort((short) internalPort)
                .putShort((short) suggested)
                .put(new byte[16]);
        b.put(options);
        return b.array();
    }

    static byte[] announce() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24);
        b.put((byte) 2).put((byte) 0).putShort((short) 0).putInt(0).put(mapped("127.0.0.1"));
        return b.array();
    }

    static byte[] mapped(String ip) throws IOException {
        byte[] v4 = InetAddress.getByName(ip).getAddress();
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(v4, 0, out, 12, 4);
        return out;
    }

    void sendOnly(byte[] packet) throws IOException {
        socket.send(new DatagramPacket(packet, packet.length));
    }

    Answer ask(byte[] packet) throws IOException {
        sendOnly(packet);
        return receive();
    }

    Answer receive() throws IOException {
        byte[] buf = new byte[1100];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        byte[] raw = Arrays.copyOf(buf, p.getLength());
        ByteBuffer in = ByteBuffer.wrap(raw);
        int externalPort = raw.length >= 60 ? in.getShort(42) & 0xffff : 0;
        InetAddress external = raw.length >= 60 ? InetAddress.getByAddress(Arrays.copyOfRange(raw, 44, 60)) : null;
        return new Answer(
                raw[0] & 0xff,
                raw[1] & 0xff,
                raw[3] & 0xff,
                in.getInt(4) & 0xffffffffL,
                in.getInt(8) & 0xffffffffL,
                externalPort,
                external,
                raw);
    }

    @Override
    public void close() {
        socket.close();
    }
}
