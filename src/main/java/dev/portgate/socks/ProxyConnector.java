package dev.portgate.socks;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Destination;
import dev.portgate.forward.DynamicForward;
import dev.portgate.forward.Protocol;
import dev.portgate.net.Errors;
import dev.portgate.net.Relay;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part every proxy protocol shares once the client has named a destination: check it against
 * deny-open and permit-open (names before resolving, networks after — and the connection goes to
 * the very address that was checked), resolve without blocking, dial, and hand the pair to the relay.
 */
final class ProxyConnector {

    private static final Logger log = LoggerFactory.getLogger(ProxyConnector.class);

    /** What became of a request. */
    interface Outcome {
        void connected(Channel outbound);

        void refused(Refusal why, String detail);
    }

    private ProxyConnector() {}

    /** Checks a destination; null if allowed, else why not. {@code name} is null when the client gave an address. */
    static String forbidden(DynamicForward f, String name, InetAddress address, int port) {
        for (Destination d : f.denyOpen()) {
            if (d.matches(name, address, port)) {
                return "destination is in deny-open " + d;
            }
        }
        for (Destination d : f.permitOpen()) {
            if (d.matches(name, address, port)) {
                return null;
            }
        }
        return "destination is not in permit-open";
    }

    /**
     * What can be decided before resolving a name: a deny-open name rule refuses it, and when no
     * permit-open rule could match (no name rule does, and none is a network) there is nothing to resolve.
     */
    static String forbiddenByName(DynamicForward f, String name, int port) {
        for (Destination d : f.denyOpen()) {
            if (!d.needsAddress() && d.matches(name, null, port)) {
                return "destination is in deny-open " + d;
            }
        }
        boolean mayMatch = f.permitOpen().stream().anyMatch(d -> d.needsAddress() || d.matches(name, null, port));
        return mayMatch ? null : "destination is not in permit-open";
    }

    static void connect(ProxyContext pc, Channel inbound, String host, int port, Outcome outcome) {
        InetAddress literal = Addresses.literal(host);
        String name = literal == null ? host : null;
        pc.connection().target(Addresses.hostPort(host, port));
        if (literal != null) {
            dial(pc, inbound, name, literal, port, outcome);
            return;
        }
        String early = forbiddenByName(pc.forward(), host, port);
        if (early != null) {
            outcome.refused(Refusal.FORBIDDEN, early);
            return;
        }
        pc.transport()
                .resolver()
                .getResolver(inbound.eventLoop())
                .resolve(InetSocketAddress.createUnresolved(host, port))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        outcome.refused(
                                Refusal.HOST_UNREACHABLE, "cannot resolve " + host + ": " + Errors.reason(f.cause()));
                        return;
                    }
                    dial(pc, inbound, name, ((InetSocketAddress) f.getNow()).getAddress(), port, outcome);
                });
    }

    private static void dial(
            ProxyContext pc, Channel inbound, String name, InetAddress address, int port, Outcome outcome) {
        String why = forbidden(pc.forward(), name, address, port);
        if (why != null) {
            outcome.refused(Refusal.FORBIDDEN, why);
            return;
        }
        String ip = NetUtil.toAddressString(address);
        pc.dialer().dial(inbound, ip, port).addListener(f -> {
            if (!f.isSuccess()) {
                outcome.refused(
                        Refusal.of(f.cause()),
                        "cannot reach " + Addresses.hostPort(ip, port) + ": " + Errors.reason(f.cause()));
                return;
            }
            if (inbound.remoteAddress() instanceof InetSocketAddress client) {
                pc.egress().outbound(Addresses.unmap(client.getAddress()), Protocol.TCP, port);
            }
            outcome.connected((Channel) f.getNow());
        });
    }

    /**
     * Sends the protocol's success reply; once it is out, removes the handshake's handlers and joins the
     * two sides. Shared by SOCKS4 and SOCKS5.
     */
    static void replyThenRelay(
            ProxyContext pc, ChannelHandlerContext ctx, Object reply, Channel outbound, String... handshakeHandlers) {
        ctx.writeAndFlush(reply).addListener(f -> {
            if (!f.isSuccess()) {
                outbound.close();
                return;
            }
            pc.handshakeDone();
            for (String name : handshakeHandlers) {
                ctx.pipeline().remove(name);
            }
            ctx.pipeline().remove(ctx.handler());
            relay(pc, ctx.channel(), outbound);
        });
    }

    /** Joins the client and the destination; from here on it costs what a static forward costs. */
    static void relay(ProxyContext pc, Channel inbound, Channel outbound) {
        log.debug(
                "forward \"{}\": {} -> {} established",
                pc.active().name(),
                Addresses.format(inbound.remoteAddress()),
                pc.connection().target());
        if (inbound.pipeline().get(ProxyDetector.HANDSHAKE_EOF) != null) {
            inbound.pipeline().remove(ProxyDetector.HANDSHAKE_EOF);
        }
        Relay.join(
                inbound,
                outbound,
                pc.connection(),
                pc.active().stats(),
                pc.forward().limits().idleTimeoutFor(Protocol.TCP));
    }
}
