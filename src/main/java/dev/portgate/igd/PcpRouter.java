package dev.portgate.igd;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Protocol;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** PCP client side (RFC 6887): MAP with one nonce per mapping; the epoch tells a restarted server. */
final class PcpRouter implements Router {

    private final InetAddress gateway;
    private final PmpSocket socket;
    private final EpochWatch epoch = new EpochWatch();
    private final Map<String, byte[]> nonces = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private volatile InetAddress external;

    PcpRouter(InetAddress gateway, int port) throws IOException {
        this.gateway = gateway;
        this.socket = new PmpSocket(gateway, port);
    }

    @Override
    public String describe() {
        return "PCP at " + gateway.getHostAddress();
    }

    /** Checks that a PCP server answers (an ANNOUNCE); PCP has no address query, so the address comes with MAP answers. */
    @Override
    public InetAddress externalAddress() throws IOException {
        byte[] answer = socket.exchange(header(0, 0), a -> a.length >= 24 && a[0] == 2 && (a[1] & 0xff) == 0x80);
        check(answer[3] & 0xff);
        epoch.saw(ByteBuffer.wrap(answer).getInt(8) & 0xffffffffL);
        return external;
    }

    @Override
    public Granted map(Protocol protocol, int internalPort, int externalPort, Duration lifetime, String description)
            throws IOException {
        byte[] nonce = nonces.computeIfAbsent(protocol + "/" + internalPort, k -> {
            byte[] n = new byte[12];
            random.nextBytes(n);
            return n;
        });
        byte[] answer = mapRequest(nonce, protocol, internalPort, externalPort, lifetime.toSeconds());
        ByteBuffer in = ByteBuffer.wrap(answer);
        check(answer[3] & 0xff);
        epoch.saw(in.getInt(8) & 0xffffffffL);
        external = Addresses.unmap(Pcp.address(answer, 24 + 20));
        return new Granted(in.getShort(24 + 18) & 0xffff, in.getInt(4) & 0xffffffffL);
    }

    @Override
    public void unmap(Protocol protocol, int internalPort, int externalPort) throws IOException {
        byte[] nonce = nonces.remove(protocol + "/" + internalPort);
        if (nonce != null) {
            check(mapRequest(nonce, protocol, internalPort, externalPort, 0)[3] & 0xff);
        }
    }

    private byte[] mapRequest(byte[] nonce, Protocol protocol, int internalPort, int externalPort, long lifetime)
            throws IOException {
        ByteBuffer out = ByteBuffer.allocate(24 + 36);
        out.put(header(1, lifetime));
        out.put(nonce)
                .put((byte) (protocol == Protocol.TCP ? 6 : 17))
                .put(new byte[3])
                .putShort((short) internalPort)
                .putShort((short) externalPort)
                .put(new byte[16]);
        return socket.exchange(
                out.array(),
                a -> a.length >= 60 && a[0] == 2 && (a[1] & 0xff) == 0x81 && Arrays.equals(a, 24, 36, nonce, 0, 12));
    }

    private byte[] header(int op, long lifetime) {
        ByteBuffer out = ByteBuffer.allocate(24);
        out.put((byte) 2)
                .put((byte) op)
                .putShort((short) 0)
                .putInt((int) lifetime)
                .put(Pcp.mapped(socket.localAddress()));
        return out.array();
    }

    @Override
    public boolean lostState(Collection<UpstreamMapping> held) throws IOException {
        externalAddress();
        return epoch.wentBack();
    }

    private static void check(int result) throws IOException {
        if (result != 0) {
            throw new IOException("the router answered PCP result " + result + " ("
                    + switch (result) {
                        case 1 -> "UNSUPP_VERSION";
                        case 2 -> "NOT_AUTHORIZED";
                        case 3 -> "MALFORMED_REQUEST";
                        case 4 -> "UNSUPP_OPCODE";
                        case 5 -> "UNSUPP_OPTION";
                        case 7 -> "NETWORK_FAILURE";
                        case 8 -> "NO_RESOURCES";
                        case 10 -> "USER_EX_QUOTA";
                        case 11 -> "CANNOT_PROVIDE_EXTERNAL";
                        case 12 -> "ADDRESS_MISMATCH";
                        default -> "error";
                    } + ")");
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
