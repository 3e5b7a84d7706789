package dev.portgate.tunnel;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Connection;
import dev.portgate.net.ProxyHeader;
import dev.portgate.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One player's UDP flow at the tunnel client: a socket of its own connected to the target, so the target's
 * answers are this player's; they go back to the server as datagrams tagged with the flow id. With PROXY v2,
 * every datagram to the target starts with the header naming the player.
 */
final class ClientFlow implements EndpointFlow {

    private static final Logger log = LoggerFactory.getLogger(ClientFlow.class);

    private final int id;
    private final Arrival arrival;
    private final ActiveForward active;
    private final ProxyProtocol proxy;
    private final InetSocketAddress publicAddress;
    private final ServerLink link;
    private final Consumer<ClientFlow> onClose;
    private Channel socket;
    private Connection connection;
    private boolean closed;
    /** Datagrams that came while the target's name resolved and its socket opened; more are dropped, as UDP may. */
    private final Queue<ByteBuf> pending = new ArrayDeque<>();

    private static final int PENDING_LIMIT = 64;

    ClientFlow(
            int id,
            Arrival arrival,
            ActiveForward active,
            ProxyProtocol proxy,
            InetSocketAddress publicAddress,
            ServerLink link,
            Consumer<ClientFlow> onClose) {
        this.id = id;
        this.arrival = arrival;
        this.active = active;
        this.proxy = proxy;
        this.publicAddress = publicAddress;
        this.link = link;
        this.onClose = onClose;
    }

    /** Resolves {@code host} without blocking and opens the socket to it; datagrams until then are dropped. */
    void start(Transport transport, String host, int port, Duration idle) {
        active.stats().sessionOpened();
        transport
                .resolver()
                .getResolver(link.loop())
                .resolve(InetSocketAddress.createUnresolved(host, port))
                .addListener(f -> {
                    if (f.isSuccess()) {
                        connect(transport, (InetSocketAddress) f.getNow(), idle);
                    } else {
                        active.health().failed(f.cause());
                        log.warn(
                                "forward \"{}\": udp: cannot resolve {}: {}",
                                active.name(),
                                host,
                                f.cause().toString());
                        close();
                    }
                });
    }

    private void connect(Transport transport, InetSocketAddress target, Duration idle) {
        if (closed) {
            return;
        }
        ChannelFuture cf = new Bootstrap()
                .group(link.loop())
                .channel(transport.datagramChannel())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65536))
                .handler(new Answers())
                .connect(
                        target,
                        new InetSocketAddress(target.getAddress() instanceof Inet6Address ? "::" : "0.0.0.0", 0));
        socket = cf.channel();
        connection = active.register(Protocol.UDP, socket, arrival.from(), Addresses.format(target));
        socket.closeFuture().addListener(f -> close());
        if (!idle.isZero()) {
            socket.pipeline().addFirst(new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS));
        }
        cf.addListener(f -> {
            if (f.isSuccess()) {
                ByteBuf b;
                while ((b = pending.poll()) != null) {
                    write(b, socket.alloc());
                    b.release();
                }
                return;
            }
            if (!f.isSuccess()) {
                log.warn(
                        "forward \"{}\": udp from {}: cannot open a socket to {}: {}",
                        active.name(),
                        Addresses.format(arrival.from()),
                        Addresses.format(target),
                        f.cause().toString());
                close();
            }
        });
    }

    /** A player's datagram from the server: to the target (the payload is not taken). */
    @Override
    public void toTarget(ByteBuf payload, ByteBufAllocator alloc) {
        if (closed) {
            return;
        }
        if (socket == null || !socket.isActive()) {
            if (pending.size() < PENDING_LIMIT) {
                pending.add(payload.retainedSlice());
            } else {
                active.stats().packetDropped();
            }
            return;
        }
        write(payload, alloc);
    }

    private void write(ByteBuf payload, ByteBufAllocator alloc) {
        int n = payload.readableBytes();
        if (!active.admitDatagram(true, n)) {
            active.stats().packetDropped();
            return;
        }
        active.stats().packetIn(n);
        connection.addIn(n);
        ByteBuf out;
        if (proxy == ProxyProtocol.V2) {
            out = ProxyHeader.udpV2(alloc, arrival.from(), publicAddress);
            out.writeBytes(payload, payload.readerIndex(), n);
        } else {
            out = payload.retainedSlice();
        }
        socket.writeAndFlush(out, socket.voidPromise());
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
        if (socket != null) {
            socket.close();
        }
    }

    @Override
    public int id() {
        return id;
    }

    /** The target's answers: back to the server, tagged with the flow id. */
    private final class Answers extends SimpleChannelInboundHandler<DatagramPacket> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            int n = packet.content().readableBytes();
            if (!active.admitDatagram(false, n)) {
                active.stats().packetDropped();
                return;
            }
            if (link.sendDatagram(Datagrams.toServer(ctx.alloc(), id, packet.content()))) {
                active.stats().packetOut(n);
                connection.addOut(n);
            } else {
                active.stats().packetDropped();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            link.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable from the target: this flow ends; the next datagram starts another.
            log.debug(
                    "forward \"{}\": udp flow of {} ends: {}",
                    active.name(),
                    Addresses.format(arrival.from()),
                    cause.toString());
            ctx.close();
        }
    }
}
