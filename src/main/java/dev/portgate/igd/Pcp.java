package dev.portgate.igd;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Protocol;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * PCP (RFC 6887) MAP and ANNOUNCE. A mapping is owned by its nonce: renewing or deleting it needs
 * the same nonce. Every error answer copies the request's opcode data, as the RFC asks, and carries
 * the result code a client can act on.
 */
final class Pcp {

    static final int VERSION = 2;
    static final int OP_ANNOUNCE = 0;
    static final int OP_MAP = 1;
    static final int HEADER = 24;
    static final int MAP_DATA = 36;
    static final int MAX_SIZE = 1100;

    static final int SUCCESS = 0;
    static final int UNSUPP_VERSION = 1;
    static final int NOT_AUTHORIZED = 2;
    static final int MALFORMED_REQUEST = 3;
    static final int UNSUPP_OPCODE = 4;
    static final int UNSUPP_OPTION = 5;
    static final int MALFORMED_OPTION = 6;
    static final int NETWORK_FAILURE = 7;
    static final int NO_RESOURCES = 8;
    static final int UNSUPP_PROTOCOL = 9;
    static final int USER_EX_QUOTA = 10;
    static final int CANNOT_PROVIDE_EXTERNAL = 11;
    static final int ADDRESS_MISMATCH = 12;

    static final int OPTION_THIRD_PARTY = 1;
    static final int OPTION_PREFER_FAILURE = 2;
    static final int OPTION_FILTER = 3;

    /** How long a client should wait before asking again after an error, in seconds. */
    private static final int SHORT_ERROR_LIFETIME = 30;

    private static final int LONG_ERROR_LIFETIME = 1800;

    private final IgdService igd;

    Pcp(IgdService igd) {
        this.igd = igd;
    }

    CompletableFuture<Optional<byte[]>> handle(byte[] request, InetAddress client) {
        IgdStats stats = igd.stats();
        if (request.length < 2 || (request[1] & 0x80) != 0) {
            stats.count("pcp", "malformed");
            return done(null); // too short to answer, or a response: stay silent
        }
        if (request.length < HEADER) {
            stats.count("pcp", "malformed");
            return done(request.length >= 4 ? error(pad(request), MALFORMED_REQUEST, SHORT_ERROR_LIFETIME) : null);
        }
        if ((request[0] & 0xff) != VERSION) {
            stats.count("pcp", "unsupported");
            return done(error(request, UNSUPP_VERSION, LONG_ERROR_LIFETIME));
        }
        if (request.length > MAX_SIZE || request.length % 4 != 0) {
            stats.count("pcp", "malformed");
            return done(error(request, MALFORMED_REQUEST, SHORT_ERROR_LIFETIME));
        }
        if (!igd.pcpOn()) {
            stats.count("pcp", "refused");
            return done(error(request, NOT_AUTHORIZED, LONG_ERROR_LIFETIME));
        }
        stats.count("pcp", "requests");
        int op = request[1] & 0x7f;
        ByteBuffer in = ByteBuffer.wrap(request);
        long lifetime = in.getInt(4) & 0xffffffffL;
        InetAddress claimed = address(request, 8);
        if (!Addresses.unmap(claimed).equals(Addresses.unmap(client))) {
            stats.count("pcp", "address-mismatch");
            return done(error(request, ADDRESS_MISMATCH, LONG_ERROR_LIFETIME));
        }
        if (op == OP_ANNOUNCE) {
            return done(response(request, HEADER, SUCCESS, 0));
        }
        if (op != OP_MAP) {
            stats.count("pcp", "unsupported");
            return done(error(request, UNSUPP_OPCODE, LONG_ERROR_LIFETIME));
        }
        if (request.length < HEADER + MAP_DATA) {
            stats.count("pcp", "malformed");
            return done(error(request, MALFORMED_REQUEST, SHORT_ERROR_LIFETIME));
        }
        Options options = Options.parse(request, HEADER + MAP_DATA);
        if (options.result() != SUCCESS) {
            stats.count("pcp", "bad-option");
            return done(error(request, options.result(), LONG_ERROR_LIFETIME));
        }
        InetAddress device = Addresses.unmap(client);
        if (options.thirdParty() != null) {
            if (!igd.config().thirdParty()) {
                stats.count("pcp", "refused");
                return done(error(request, UNSUPP_OPTION, LONG_ERROR_LIFETIME));
            }
            device = Addresses.unmap(options.thirdParty());
        }
        String nonce = HexFormat.of().formatHex(request, HEADER, HEADER + 12);
        int protocolNumber = request[HEADER + 12] & 0xff;
        int internalPort = in.getShort(HEADER + 16) & 0xffff;
        int suggested = in.getShort(HEADER + 18) & 0xffff;
        InetAddress suggestedAddress = Addresses.unmap(address(request, HEADER + 20));
        Protocol protocol = protocolNumber == 6 ? Protocol.TCP : protocolNumber == 17 ? Protocol.UDP : null;
        if (protocol == null) {
            stats.count("pcp", "unsupported");
            return done(error(request, UNSUPP_PROTOCOL, LONG_ERROR_LIFETIME));
        }
        if (internalPort == 0) {
            stats.count("pcp", "malformed");
            return done(error(request, MALFORMED_REQUEST, SHORT_ERROR_LIFETIME));
        }
        InetAddress external = igd.externalAddress();
        if (external == null) {
            return done(error(request, NETWORK_FAILURE, SHORT_ERROR_LIFETIME));
        }
        if (options.preferFailure() && !suggestedAddress.isAnyLocalAddress() && !suggestedAddress.equals(external)) {
            return done(error(request, CANNOT_PROVIDE_EXTERNAL, SHORT_ERROR_LIFETIME));
        }
        InetAddress owner = device;
        return igd.submit(() -> {
            Optional<Lease> mine = igd.leases().findByInternal(Origin.Kind.PCP, owner, protocol, internalPort);
            if (mine.isPresent() && !mine.get().nonce().equals(nonce)) {
                stats.count("pcp", "refused");
                return Optional.of(error(request, NOT_AUTHORIZED, LONG_ERROR_LIFETIME));
            }
            if (lifetime == 0) {
                mine.ifPresent(l -> igd.leases().remove(l.name(), igd.actor("pcp", client)));
                stats.count("pcp", "deleted");
                return Optional.of(mapAnswer(
                        request, SUCCESS, 0, mine.map(Lease::externalPort).orElse(0), external));
            }
            int wanted = mine.map(Lease::externalPort).orElse(suggested);
            LeaseOutcome outcome = igd.leases()
                    .map(new LeaseRequest(
                            Origin.Kind.PCP,
                            Addresses.unmap(client),
                            owner,
                            protocol,
                            wanted,
                            internalPort,
                            Duration.ofSeconds(lifetime),
                            "PCP " + protocol.name().toLowerCase(Locale.ROOT) + " " + internalPort,
                            options.filter(),
                            true,
                            nonce,
                            options.preferFailure() && suggested != 0));
            if (outcome instanceof LeaseOutcome.Mapped m) {
                stats.count("pcp", "mapped");
                return Optional.of(mapAnswer(
                        request, SUCCESS, m.lifetimeSeconds(), m.lease().externalPort(), external));
            }
            LeaseOutcome.Refused r = (LeaseOutcome.Refused) outcome;
            stats.count("pcp", "refused");
            igd.logRefusal("PCP", client, r);
            int code =
                    switch (r.reason()) {
                        case NOT_PERMITTED, NOT_OWNER -> NOT_AUTHORIZED;
                        case QUOTA -> USER_EX_QUOTA;
                        case INVALID -> MALFORMED_REQUEST;
                        case CONFLICT -> options.preferFailure() ? CANNOT_PROVIDE_EXTERNAL : NO_RESOURCES;
                        default -> NO_RESOURCES;
                    };
            return Optional.of(
                    error(request, code, code == NOT_AUTHORIZED ? LONG_ERROR_LIFETIME : SHORT_ERROR_LIFETIME));
        });
    }

    /** An unsolicited ANNOUNCE (sent on start and when the external address changes). */
    byte[] announce() {
        byte[] header = new byte[HEADER];
        header[0] = VERSION;
        return response(header, HEADER, SUCCESS, 0);
    }

    private byte[] mapAnswer(byte[] request, int result, long lifetime, int externalPort, InetAddress external) {
        byte[] out = response(request, HEADER + MAP_DATA, result, lifetime);
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putShort(HEADER + 18, (short) externalPort);
        b.position(HEADER + 20);
        b.put(mapped(external));
        return out;
    }

    private byte[] error(byte[] request, int result, long lifetime) {
        return response(request, Math.min(request.length, MAX_SIZE) & ~3, result, lifetime);
    }

    /** The request's bytes (opcode data and options) under a response header. */
    private byte[] response(byte[] request, int length, int result, long lifetime) {
        byte[] out = new byte[Math.max(length, HEADER)];
        System.arraycopy(request, 0, out, 0, Math.min(request.length, out.length));
        ByteBuffer b = ByteBuffer.wrap(out);
        b.put(0, (byte) VERSION);
        b.put(1, (byte) (0x80 | (request[1] & 0x7f)));
        b.put(2, (byte) 0);
        b.put(3, (byte) result);
        b.putInt(4, (int) lifetime);
        b.putInt(8, (int) igd.epochSeconds());
        for (int i = 12; i < HEADER; i++) {
            out[i] = 0;
        }
        return out;
    }

    private static byte[] pad(byte[] request) {
        byte[] out = new byte[HEADER];
        System.arraycopy(request, 0, out, 0, request.length);
        return out;
    }

    static InetAddress address(byte[] b, int offset) {
        byte[] a = new byte[16];
        System.arraycopy(b, offset, a, 0, 16);
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] mapped(InetAddress a) {
        byte[] raw = a.getAddress();
        if (raw.length == 16) {
            return raw;
        }
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(raw, 0, out, 12, 4);
        return out;
    }

    private static CompletableFuture<Optional<byte[]>> done(byte[] answer) {
        return CompletableFuture.completedFuture(Optional.ofNullable(answer));
    }

    /** The options after the opcode data; unknown mandatory ones (code below 128) are refused. */
    record Options(int result, InetAddress thirdParty, boolean preferFailure, InetAddress filter) {

        static Options parse(byte[] b, int at) {
            InetAddress third = null;
            boolean prefer = false;
            InetAddress filter = null;
            ByteBuffer in = ByteBuffer.wrap(b);
            while (at < b.length) {
                if (at + 4 > b.length) {
                    return new Options(MALFORMED_OPTION, null, false, null);
                }
                int code = b[at] & 0xff;
                int length = in.getShort(at + 2) & 0xffff;
                int padded = (length + 3) & ~3;
                if (at + 4 + padded > b.length) {
                    return new Options(MALFORMED_OPTION, null, false, null);
                }
                switch (code) {
                    case OPTION_THIRD_PARTY -> {
                        if (length != 16 || third != null) {
                            return new Options(MALFORMED_OPTION, null, false, null);
                        }
                        third = address(b, at + 4);
                    }
                    case OPTION_PREFER_FAILURE -> {
                        if (length != 0) {
                            return new Options(MALFORMED_OPTION, null, false, null);
                        }
                        prefer = true;
                    }
                    case OPTION_FILTER -> {
                        if (length != 20) {
                            return new Options(MALFORMED_OPTION, null, false, null);
                        }
                        int prefix = b[at + 5] & 0xff;
                        InetAddress peer = Addresses.unmap(address(b, at + 8));
                        // IPv4 peers are IPv4-mapped, so one host is a /128 either way.
                        if (prefix != 128 || filter != null) {
                            // Only a filter for one remote host is kept; wider filters are not offered.
                            return new Options(UNSUPP_OPTION, null, false, null);
                        }
                        filter = peer;
                    }
                    default -> {
                        if (code < 128) {
                            return new Options(UNSUPP_OPTION, null, false, null);
                        }
                    }
                }
                at += 4 + padded;
            }
            return new Options(SUCCESS, third, prefer, filter);
        }
    }
}
