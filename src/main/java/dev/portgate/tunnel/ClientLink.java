package dev.portgate.tunnel;

import dev.portgate.forward.Addresses;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.UdpFlow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tunnel client's QUIC connection at the server: its control stream (hello, listens, pings), the streams the
 * server opens back to it for TCP arrivals, and its UDP flows as datagrams. Everything here runs on the
 * connection's event loop but the rule changes, which {@link TunnelSessions} makes on its own thread.
 */
final class ClientLink extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ClientLink.class);
    /** A connection that has not said a valid hello by then is closed. */
    private static final long HELLO_SECONDS = 10;

    private final TunnelHub hub;
    private QuicChannel quic;
    private Channel control;
    private volatile TunnelServerConfig.Client client;
    private volatile String session;
    private final Instant since = Instant.now();
    private final Map<Integer, ServerFlow> flows = new HashMap<>();
    private int nextFlow = 1;

    private final AtomicLong datagramsDropped = new AtomicLong();
    private final PathStats stats = new PathStats();

    ClientLink(TunnelHub hub) {
        this.hub = hub;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        quic = (QuicChannel) ctx.channel();
        quic.eventLoop()
                .schedule(
                        () -> {
                            if (client == null && quic.isActive()) {
                                log.info("tunnel: {} said no hello within {} s, closing", source(), HELLO_SECONDS);
                                quic.close();
                            }
                        },
                        HELLO_SECONDS,
                        TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    /** A stream the client opened: its first is the control stream; it may open no other. */
    void streamOpened(QuicStreamChannel stream) {
        if (control != null || stream.type() != QuicStreamType.BIDIRECTIONAL) {
            stream.close();
            return;
        }
        control = stream;
        ControlStream.install(stream, new ControlStream.Reader() {
            @Override
            public void message(ControlMessage m) {
                onMessage(m);
            }

            @Override
            public void broken(String why) {
                log.info("tunnel: {} broke the protocol: {}", who(), why);
                quic.close();
            }

            @Override
            public void closed() {
                quic.close();
            }
        });
    }

    private void onMessage(ControlMessage m) {
        if (m instanceof ControlMessage.Hello h) {
            if (client != null) {
                return;
            }
            hub.sessions().run(() -> hub.hello(this, h));
        } else if (client == null) {
            log.info(
                    "tunnel: {} sent {} before its hello, closing",
                    source(),
                    m.getClass().getSimpleName());
            quic.close();
        } else if (m instanceof ControlMessage.Listen l) {
            hub.sessions().listen(this, l);
        } else if (m instanceof ControlMessage.Unlisten u) {
            hub.sessions().unlisten(this, u.id());
        } else if (m instanceof ControlMessage.Ping p) {
            send(new ControlMessage.Pong(p.sent()));
        }
    }

    void welcome(TunnelServerConfig.Client c, String sessionId) {
        this.client = c;
        this.session = sessionId;
        send(new ControlMessage.Welcome(sessionId));
        quic.closeFuture().addListener(f -> hub.sessions().ended(this));
    }

    void refuse(String reason) {
        if (control != null) {
            ControlStream.send(control, new ControlMessage.Refused(reason))
                    .addListener(f -> quic.eventLoop().schedule(() -> quic.close(), 200, TimeUnit.MILLISECONDS));
        } else {
            quic.close();
        }
    }

    void send(ControlMessage m) {
        Channel c = control;
        if (c != null && c.isActive()) {
            ControlStream.send(c, m);
        }
    }

    // --- TCP: a stream per arrival, opened by the server.

    /** A new stream to the client for one TCP arrival, its header written, not reading yet. */
    Future<Channel> openStream(EventLoop on, Arrival arrival) {
        Promise<Channel> promise = on.newPromise();
        if (!quic.isActive()) {
            return promise.setFailure(new IllegalStateException("the tunnel client " + clientName() + " is gone"));
        }
        quic.newStreamBootstrap()
                .type(QuicStreamType.BIDIRECTIONAL)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (!(evt instanceof ChannelInputShutdownReadComplete)) {
                            ctx.fireUserEventTriggered(evt);
                        }
                    }
                })
                .create()
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        promise.tryFailure(f.cause());
                        return;
                    }
                    QuicStreamChannel stream = (QuicStreamChannel) f.getNow();
                    ByteBuf header = stream.alloc().buffer(arrival.size());
                    arrival.write(header);
                    // Flushed now: with a protocol where the server speaks first, no client byte would carry it.
                    stream.writeAndFlush(header, stream.voidPromise());
                    promise.trySuccess(stream);
                });
        return promise;
    }

    // --- UDP: datagrams both ways, tagged with a flow id.

    ServerFlow openFlow(
            ActiveForward active, Channel frontend, Arrival arrival, Duration idle, Consumer<UdpFlow> onClose) {
        if (!quic.isActive()) {
            return null;
        }
        int id = nextFlow++;
        ServerFlow flow = new ServerFlow(this, id, arrival, active, frontend, idle, onClose);
        flows.put(id, flow);
        flow.start();
        return flow;
    }

    void flowEnded(ServerFlow flow) {
        flows.remove(flow.id());
    }

    /** Writes one datagram to the client (taking it); false if it is too large for the link or the link is gone. */
    boolean sendDatagram(ByteBuf datagram) {
        if (!quic.isActive() || datagram.readableBytes() > QuicSetup.MAX_UDP_PAYLOAD) {
            datagram.release();
            if (quic.isActive() && datagramsDropped.getAndIncrement() % 1000 == 0) {
                log.info(
                        "tunnel: a datagram for {} is larger than a QUIC packet carries: dropped (said every 1000)",
                        who());
            }
            return false;
        }
        quic.write(datagram, quic.voidPromise());
        return true;
    }

    void flush() {
        quic.flush();
    }

    ByteBufAllocator alloc() {
        return quic.alloc();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf datagram)) {
            // A stream the peer opened: the codec's handler after this one registers it.
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (client == null) {
                return;
            }
            Datagrams.Parsed d;
            try {
                d = Datagrams.parse(datagram, false);
            } catch (WireException e) {
                log.debug("tunnel: {}: {}", who(), e.getMessage());
                return;
            }
            ServerFlow flow = flows.get(d.flow());
            if (flow != null) {
                flow.reply(d.payload());
            }
        } finally {
            datagram.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("tunnel: {}: {}", who(), cause.toString());
    }

    /** Refreshes the round-trip time and byte counts from QUIC's own statistics (on the loop). */
    void refreshStats() {
        stats.refresh(quic);
    }

    void closeFlows() {
        for (ServerFlow f : List.copyOf(flows.values())) {
            f.close();
        }
    }

    void close() {
        quic.close();
    }

    EventLoop loop() {
        return quic.eventLoop();
    }

    String clientName() {
        TunnelServerConfig.Client c = client;
        return c == null ? "?" : c.name();
    }

    TunnelServerConfig.Client client() {
        return client;
    }

    String session() {
        return session;
    }

    String source() {
        return quic.remoteSocketAddress() instanceof InetSocketAddress a ? Addresses.format(a) : "?";
    }

    String sourceHost() {
        return quic.remoteSocketAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : "?";
    }

    private String who() {
        return client == null ? source() : "client \"" + clientName() + "\" from " + source();
    }

    /** What the console shows of this client. */
    TunnelClientView view() {
        return new TunnelClientView(
                clientName(), source(), "quic", since, stats.rttMicros, stats.sentBytes, stats.recvBytes, session);
    }
}
