package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tunnel client's side of its QUIC connection: players' datagrams from the server become flows to the
 * targets ({@link ClientFlow}), their answers go back as datagrams. Runs on the connection's loop.
 */
final class ServerLink extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ServerLink.class);

    private final TunnelEndpoint endpoint;
    private QuicChannel quic;
    private final Map<Integer, ClientFlow> flows = new HashMap<>();
    private long dropped;
    final PathStats stats = new PathStats();

    ServerLink(TunnelEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        quic = (QuicChannel) ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf datagram)) {
            // A stream the peer opened: the codec's handler after this one registers it.
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            Datagrams.Parsed d;
            try {
                d = Datagrams.parse(datagram, true);
            } catch (WireException e) {
                log.debug("tunnel-endpoint \"{}\": {}", endpoint.name(), e.getMessage());
                return;
            }
            ClientFlow flow = flows.get(d.flow());
            if (flow == null) {
                flow = endpoint.openFlow(this, d.flow(), d.arrival());
                if (flow == null) {
                    return;
                }
                flows.put(d.flow(), flow);
            }
            flow.toTarget(d.payload(), ctx.alloc());
        } finally {
            datagram.release();
        }
    }

    void flowEnded(ClientFlow flow) {
        flows.remove(flow.id());
    }

    boolean sendDatagram(ByteBuf datagram) {
        if (!quic.isActive() || datagram.readableBytes() > QuicSetup.MAX_UDP_PAYLOAD) {
            datagram.release();
            if (quic.isActive() && dropped++ % 1000 == 0) {
                log.info(
                        "tunnel-endpoint \"{}\": an answer larger than a QUIC packet carries was dropped (said every 1000)",
                        endpoint.name());
            }
            return false;
        }
        quic.write(datagram, quic.voidPromise());
        return true;
    }

    void flush() {
        quic.flush();
    }

    EventLoop loop() {
        return quic.eventLoop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (ClientFlow f : List.copyOf(flows.values())) {
            f.close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("tunnel-endpoint \"{}\": {}", endpoint.name(), cause.toString());
    }

    void refreshStats() {
        stats.refresh(quic);
    }
}
