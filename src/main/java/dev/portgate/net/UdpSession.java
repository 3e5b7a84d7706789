package dev.portgate.net;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Protocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's entry in a UDP forward's NAT table: an upstream socket connected to the target
 * (so only the target's replies are taken), on the listener's event loop. Datagrams that arrive
 * while the target name resolves wait in a short queue; more than that are dropped, as UDP may.
 */
final class UdpSession implements UdpFlow {

    private static final Logger log = LoggerFactory.getLogger(UdpSession.class);
    private static final int PENDING_LIMIT = 64;

    private final Transport transport;
    private final ActiveForward active;
    private final Channel frontend;
    private final InetSocketAddress client;
    private final String host;
    private final int port;
    private final Duration idle;
    private final Consumer<UdpFlow> onClose;
    private final Queue<ByteBuf> pending = new ArrayDeque<>();
    private Channel upstream;
    private Connection connection;
    private boolean closed;
    private boolean refusedByTarget;

    UdpSession(
            Transport transport,
            ActiveForward active,
            Channel frontend,
            InetSocketAddress client,
            String host,
            int port,
            Duration idle,
            Consumer<UdpFlow> onClose) {
        this.transport = transport;
        this.active = active;
        this.frontend = frontend;
        this.client = client;
        this.host = host;
        this.port = port;
        this.idle = idle;
        this.onClose = onClose;
    }

    void start() {
        active.stats().sessionOpened();
        transport
                .resolver()
                .getResolver(frontend.eventLoop())
                .resolve(InetSocketAddress.createUnresolved(host, port))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        active.health().failed(f.cause());
                        fail("cannot resolve " + host + ": " + TargetHealth.reason(f.cause()));
                        return;
                    }
                    connect((InetSocketAddress) f.getNow());
                });
    }

    private void connect(InetSocketAddress target) {
        if (closed) {
            return;
        }
        ChannelFuture cf = new Bootstrap()
                .group(frontend.eventLoop())
                .channel(transport.datagramChannel())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UdpListener.MAX_DATAGRAM))
                .handler(new Replies())
                .connect(
                        target,
                        new InetSocketAddress(target.getAddress() instanceof Inet6Address ? "::" : "0.0.0.0", 0));
        upstream = cf.channel();
        connection = active.register(Protocol.UDP, upstream, client, Addresses.hostPort(host, port));
        upstream.closeFuture().addListener(x -> close());
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                fail("cannot open a socket to " + target + ": " + Errors.reason(f.cause()));
                return;
            }
            if (!idle.isZero()) {
                upstream.pipeline().addFirst(new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS));
            }
            log.debug(
                    "forward \"{}\": udp {} -> {} session opened",
                    active.name(),
                    Addresses.format(client),
                    Addresses.format(target));
            ByteBuf b;
            while ((b = pending.poll()) != null) {
                write(b);
            }
            upstream.flush();
        });
    }

    @Override
    public boolean send(ByteBuf content) {
        if (closed) {
            content.release();
            return false;
        }
        if (upstream == null || !upstream.isActive()) {
            if (pending.size() >= PENDING_LIMIT) {
                active.stats().packetDropped();
                content.release();
            } else {
                pending.add(content);
            }
            return false;
        }
        write(content);
        return true;
    }

    private void write(ByteBuf content) {
        if (connection != null) {
            connection.addIn(content.readableBytes());
        }
        upstream.write(content, upstream.voidPromise());
    }

    @Override
    public void flush() {
        if (upstream != null) {
            upstream.flush();
        }
    }

    private void fail(String why) {
        active.stats().refused(ForwardStats.Refusal.DIAL_FAILED);
        log.warn("forward \"{}\": udp from {}: {}", active.name(), Addresses.format(client), why);
        close();
    }

    @Override
    public boolean refusedByTarget() {
        return refusedByTarget;
    }

    @Override
    public InetSocketAddress client() {
        return client;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ByteBuf b;
        while ((b = pending.poll()) != null) {
            b.release();
        }
        onClose.accept(this);
        active.stats().sessionClosed();
        if (upstream != null) {
            upstream.close();
        }
    }

    /** Target replies out: back through the listener's socket to the client. */
    private final class Replies extends SimpleChannelInboundHandler<DatagramPacket> {

        Replies() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            int n = packet.content().readableBytes();
            if (!active.admitDatagram(false, n)) {
                active.stats().packetDropped();
                packet.release();
                return;
            }
            active.stats().packetOut(n);
            connection.addOut(n);
            frontend.write(new DatagramPacket(packet.content(), client), frontend.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            frontend.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                log.debug("forward \"{}\": udp session of {} idle, closing", active.name(), Addresses.format(client));
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable from the target arrives here: the session ends, the forward goes on.
            if (!closed && ctx.channel().isOpen()) {
                refusedByTarget |= cause instanceof PortUnreachableException;
                log.debug(
                        "forward \"{}\": udp session of {} ends: {}",
                        active.name(),
                        Addresses.format(client),
                        Errors.reason(cause));
                ctx.close();
            }
        }
    }
}
