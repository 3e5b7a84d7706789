package dev.portgate.igd;

import dev.portgate.forward.Protocol;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;

/** NAT-PMP client side (RFC 6886); a router restart shows as an epoch that went back. */
final class NatPmpRouter implements Router {

    private final InetAddress gateway;
    private final PmpSocket socket;
    private final EpochWatch epoch = new EpochWatch();

    NatPmpRouter(InetAddress gateway, int port) throws IOException {
        this.gateway = gateway;
        this.socket = new PmpSocket(gateway, port);
    }

    @Override
    public String describe() {
        return "NAT-PMP at " + gateway.getHostAddress();
    }

    @Override
    public InetAddress externalAddress() throws IOException {
        byte[] answer = socket.exchange(new byte[] {0, 0}, a -> a.length >= 12 && a[0] == 0 && (a[1] & 0xff) == 128);
        ByteBuffer in = ByteBuffer.wrap(answer);
        check(in.getShort(2) & 0xffff);
        epoch.saw(in.getInt(4) & 0xffffffffL);
        return InetAddress.getByAddress(Arrays.copyOfRange(answer, 8, 12));
    }

    @Override
    public Granted map(Protocol protocol, int internalPort, int externalPort, Duration lifetime, String description)
            throws IOException {
        byte[] answer = request(protocol, internalPort, externalPort, lifetime.toSeconds());
        ByteBuffer in = ByteBuffer.wrap(answer);
        check(in.getShort(2) & 0xffff);
        epoch.saw(in.getInt(4) & 0xffffffffL);
        return new Granted(in.getShort(10) & 0xffff, in.getInt(12) & 0xffffffffL);
    }

    @Override
    public void unmap(Protocol protocol, int internalPort, int externalPort) throws IOException {
        byte[] answer = request(protocol, internalPort, 0, 0);
        check(ByteBuffer.wrap(answer).getShort(2) & 0xffff);
    }

    private byte[] request(Protocol protocol, int internalPort, int externalPort, long lifetime) throws IOException {
        int op = protocol == Protocol.UDP ? 1 : 2;
        ByteBuffer out = ByteBuffer.allocate(12);
        out.put((byte) 0)
                .put((byte) op)
                .putShort((short) 0)
                .putShort((short) internalPort)
                .putShort((short) externalPort)
                .putInt((int) lifetime);
        return socket.exchange(
                out.array(),
                a -> a.length >= 16
                        && a[0] == 0
                        && (a[1] & 0xff) == 128 + op
                        && (ByteBuffer.wrap(a).getShort(8) & 0xffff) == internalPort);
    }

    @Override
    public boolean lostState(Collection<UpstreamMapping> held) throws IOException {
        externalAddress();
        return epoch.wentBack();
    }

    private static void check(int result) throws IOException {
        if (result != 0) {
            throw new IOException("the router answered NAT-PMP result " + result + " ("
                    + switch (result) {
                        case 1 -> "unsupported version";
                        case 2 -> "not authorized / refused";
                        case 3 -> "network failure";
                        case 4 -> "out of resources";
                        case 5 -> "unsupported opcode";
                        default -> "unknown";
                    } + ")");
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
