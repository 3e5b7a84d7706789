package dev.portgate.igd;

import dev.portgate.forward.Origin;
import dev.portgate.forward.Protocol;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * NAT-PMP (RFC 6886): the public address request (opcode 0) and UDP/TCP map requests (1, 2),
 * a lifetime of 0 deleting one mapping or, with internal port 0, all of the device's mappings of
 * that protocol. Answers carry the epoch; truncated requests are dropped and counted.
 */
final class NatPmp {

    static final int VERSION = 0;
    static final int SUCCESS = 0;
    static final int UNSUPPORTED_VERSION = 1;
    static final int NOT_AUTHORIZED = 2;
    static final int NETWORK_FAILURE = 3;
    static final int OUT_OF_RESOURCES = 4;
    static final int UNSUPPORTED_OPCODE = 5;

    private final IgdService igd;

    NatPmp(IgdService igd) {
        this.igd = igd;
    }

    /** The answer to {@code request} from {@code client}, or empty to stay silent. */
    CompletableFuture<Optional<byte[]>> handle(byte[] request, InetAddress client) {
        IgdStats stats = igd.stats();
        if (request.length < 2) {
            stats.count("natpmp", "malformed");
            return done(null);
        }
        int op = request[1] & 0xff;
        if (op >= 128) {
            stats.count("natpmp", "malformed");
            return done(null); // a response, not a request: never answer one
        }
        if (!igd.natPmpOn()) {
            stats.count("natpmp", "refused");
            return done(header(op, NOT_AUTHORIZED, 8).array());
        }
        stats.count("natpmp", "requests");
        if (op == 0) {
            return done(publicAddress());
        }
        if (op != 1 && op != 2) {
            stats.count("natpmp", "unsupported");
            return done(header(op, UNSUPPORTED_OPCODE, 8).array());
        }
        if (request.length < 12) {
            stats.count("natpmp", "malformed");
            return done(null);
        }
        ByteBuffer in = ByteBuffer.wrap(request);
        int internalPort = in.getShort(4) & 0xffff;
        int suggested = in.getShort(6) & 0xffff;
        long lifetime = in.getInt(8) & 0xffffffffL;
        Protocol protocol = op == 1 ? Protocol.UDP : Protocol.TCP;
        if (!(client instanceof Inet4Address)) {
            return done(mapReply(op, NOT_AUTHORIZED, internalPort, 0, 0));
        }
        if (igd.externalAddress() == null) {
            return done(mapReply(op, NETWORK_FAILURE, internalPort, 0, 0));
        }
        if (lifetime == 0) {
            return igd.submit(() -> {
                igd.leases()
                        .removeAll(
                                l -> l.via() == Origin.Kind.NATPMP
                                        && l.device().equals(client)
                                        && l.protocol() == protocol
                                        && (internalPort == 0 || l.internalPort() == internalPort),
                                igd.actor("natpmp", client));
                stats.count("natpmp", "deleted");
                return Optional.of(mapReply(op, SUCCESS, internalPort, 0, 0));
            });
        }
        if (internalPort == 0) {
            stats.count("natpmp", "malformed");
            return done(mapReply(op, NOT_AUTHORIZED, 0, 0, 0));
        }
        return igd.submit(() -> {
            // A device renewing keeps the external port it has, whatever it suggests now.
            int wanted = igd.leases()
                    .findByInternal(Origin.Kind.NATPMP, client, protocol, internalPort)
                    .map(Lease::externalPort)
                    .orElse(suggested);
            LeaseOutcome outcome = igd.leases()
                    .map(new LeaseRequest(
                            Origin.Kind.NATPMP,
                            client,
                            client,
                            protocol,
                            wanted,
                            internalPort,
                            Duration.ofSeconds(lifetime),
                            "NAT-PMP " + protocol.name().toLowerCase(Locale.ROOT) + " " + internalPort,
                            null,
                            true,
                            "",
                            false));
            if (outcome instanceof LeaseOutcome.Mapped m) {
                stats.count("natpmp", "mapped");
                return Optional.of(mapReply(op, SUCCESS, internalPort, m.lease().externalPort(), m.lifetimeSeconds()));
            }
            LeaseOutcome.Refused r = (LeaseOutcome.Refused) outcome;
            stats.count("natpmp", "refused");
            igd.logRefusal("NAT-PMP", client, r);
            int code =
                    switch (r.reason()) {
                        case NOT_PERMITTED, NOT_OWNER, INVALID -> NOT_AUTHORIZED;
                        default -> OUT_OF_RESOURCES;
                    };
            return Optional.of(mapReply(op, code, internalPort, 0, 0));
        });
    }

    /** The 12-byte public address answer; also what is multicast when the address changes. */
    @SuppressWarnings("ByteBufferBackingArray") // header() allocates a heap buffer of exactly this size
    byte[] publicAddress() {
        InetAddress external = igd.externalAddress();
        ByteBuffer out = header(0, external instanceof Inet4Address ? SUCCESS : NETWORK_FAILURE, 12);
        out.put(external instanceof Inet4Address ? external.getAddress() : new byte[4]);
        return out.array();
    }

    @SuppressWarnings("ByteBufferBackingArray") // as above
    private byte[] mapReply(int op, int result, int internalPort, int externalPort, long lifetime) {
        ByteBuffer out = header(op, result, 16);
        out.putShort((short) internalPort).putShort((short) externalPort).putInt((int) lifetime);
        return out.array();
    }

    private ByteBuffer header(int op, int result, int size) {
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) VERSION).put((byte) (op + 128)).putShort((short) result).putInt((int) igd.epochSeconds());
        return out;
    }

    private static CompletableFuture<Optional<byte[]>> done(byte[] answer) {
        return CompletableFuture.completedFuture(Optional.ofNullable(answer));
    }
}
