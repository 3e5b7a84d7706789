package dev.portgate.tunnel;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Destination;
import dev.portgate.net.Dialer;
import dev.portgate.net.Errors;
import dev.portgate.net.SideConnections;
import dev.portgate.rules.Actor;
import dev.portgate.store.AuditLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections a tunnel client asks the server to make — its {@code kind: local} and {@code dynamic} forwards
 * through the tunnel, as {@code ssh -L}/{@code -D} through an SSH server: checked against the client's
 * {@code permit-open} (nothing unless listed), refused with the reason and audited, or dialled from the server and
 * relayed, listed as the client's ({@code tunnel-<client>}) beside the forwards.
 */
public final class TunnelOpens {

    private static final Logger log = LoggerFactory.getLogger(TunnelOpens.class);

    private final Dialer direct;
    private final SideConnections side;
    private final AuditLog audit;
    /** Checks that must look a name up run here, off the event loops. */
    private final Executor lookups;

    public TunnelOpens(Dialer direct, SideConnections side, AuditLog audit, Executor lookups) {
        this.direct = direct;
        this.side = side;
        this.audit = audit;
        this.lookups = lookups;
    }

    void open(ClientLink link, Channel stream, OpenRequest request) {
        TunnelServerConfig.Client client = link.client();
        InetAddress literal = Addresses.literal(request.host());
        boolean lookup = literal == null && client.permitOpen().stream().anyMatch(Destination::needsAddress);
        if (lookup) {
            lookups.execute(() -> {
                InetAddress resolved;
                try {
                    resolved = InetAddress.getByName(request.host());
                } catch (UnknownHostException e) {
                    resolved = null;
                }
                boolean ok = permitted(client, request, resolved);
                stream.eventLoop().execute(() -> decided(link, stream, request, ok));
            });
        } else {
            decided(link, stream, request, permitted(client, request, literal));
        }
    }

    private static boolean permitted(TunnelServerConfig.Client client, OpenRequest request, InetAddress address) {
        String name = Addresses.literal(request.host()) == null ? request.host() : null;
        return client.permitOpen().stream().anyMatch(d -> d.matches(name, address, request.port()));
    }

    private void decided(ClientLink link, Channel stream, OpenRequest request, boolean ok) {
        String target = Addresses.hostPort(request.host(), request.port());
        if (!ok) {
            String reason = "client \"" + link.clientName() + "\" may not open " + target + " (permit-open: "
                    + link.client().permitOpen() + ")";
            log.info("tunnel: {}", reason);
            audit.record(
                    new Actor("tunnel " + link.clientName(), link.sourceHost()), "tunnel.open-refused", target, reason);
            answer(stream, OpenAnswer.refused(reason)).addListener(f -> LastWord.end(stream));
            return;
        }
        direct.dial(stream, request.host(), request.port()).addListener(d -> {
            if (!d.isSuccess()) {
                String reason = "cannot reach " + target + " from the server: " + Errors.reason(d.cause());
                log.info("tunnel: client \"{}\": {}", link.clientName(), reason);
                answer(stream, OpenAnswer.refused(reason)).addListener(f -> LastWord.end(stream));
                return;
            }
            Channel to = (Channel) d.getNow();
            if (!stream.isActive()) {
                to.close();
                return;
            }
            answer(stream, OpenAnswer.OPEN);
            HeaderReader.handOver(stream, to);
            InetSocketAddress client = link.carrierPeer();
            side.join("tunnel-" + link.clientName(), client, target, stream, to);
        });
    }

    private static ChannelFuture answer(Channel stream, OpenAnswer answer) {
        ByteBuf out = stream.alloc().buffer(OpenAnswer.MAX_BYTES);
        answer.write(out);
        return stream.writeAndFlush(out);
    }
}
