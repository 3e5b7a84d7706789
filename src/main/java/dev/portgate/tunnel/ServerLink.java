package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tunnel client's side of its link (QUIC or the TCP fallback): players' datagrams from the server become
 * flows to the targets ({@link EndpointFlow}), their answers go back as datagrams. Runs on the link's loop.
 */
final class ServerLink {

    private static final Logger log = LoggerFactory.getLogger(ServerLink.class);

    private final TunnelEndpoint endpoint;
    final Carrier carrier;
    private final Map<Integer, EndpointFlow> flows = new HashMap<>();

    ServerLink(TunnelEndpoint endpoint, Carrier carrier) {
        this.endpoint = endpoint;
        this.carrier = carrier;
        carrier.who("tunnel-endpoint \"" + endpoint.name() + "\"");
        carrier.channel().closeFuture().addListener(f -> {
            for (EndpointFlow flow : List.copyOf(flows.values())) {
                flow.close();
            }
        });
    }

    /** A datagram from the server: a player's, on a flow that may be new. */
    void datagram(ByteBuf datagram) {
        try {
            Datagrams.Parsed d;
            try {
                d = Datagrams.parse(datagram, true);
            } catch (WireException e) {
                log.debug("tunnel-endpoint \"{}\": {}", endpoint.name(), e.getMessage());
                return;
            }
            EndpointFlow flow = flows.get(d.flow());
            if (flow == null) {
                flow = endpoint.openFlow(this, d.flow(), d.arrival());
                if (flow == null) {
                    return;
                }
                flows.put(d.flow(), flow);
            }
            flow.toTarget(d.payload(), carrier.alloc());
        } finally {
            datagram.release();
        }
    }

    void flowEnded(EndpointFlow flow) {
        flows.remove(flow.id());
    }

    boolean sendDatagram(ByteBuf datagram) {
        return carrier.sendDatagram(datagram);
    }

    void flush() {
        carrier.flush();
    }

    EventLoop loop() {
        return carrier.loop();
    }

    void refreshStats() {
        carrier.refreshStats();
    }
}
