package dev.portgate.net;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Protocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transparent egress listener: LAN traffic that nftables/iptables TPROXY sends here arrives with
 * its original destination as the socket's local address (IP_TRANSPARENT); traffic that REDIRECT sends
 * here has it in conntrack ({@link OriginalDestination}). portgate dials that destination, relays, and
 * tells the egress observer (port triggering) who went where.
 */
public final class TransparentEgress implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TransparentEgress.class);

    private final Channel channel;
    private final ForwardStats stats;

    private TransparentEgress(Channel channel, ForwardStats stats) {
        this.channel = channel;
        this.stats = stats;
    }

    public static TransparentEgress open(Transport transport, InetSocketAddress address, Dialer direct, EgressObserver observer)
            throws IOException {
        if (!transport.isEpoll()) {
            throw new IOException("the transparent egress listener needs Linux's native transport (epoll) for IP_TRANSPARENT");
        }
        ForwardStats stats = new ForwardStats();
        AtomicLong ids = new AtomicLong();
        // One address family on purpose: IP_TRANSPARENT is an IPv4 option, and a dual-stack socket would not take it.
        io.netty.channel.socket.SocketProtocolFamily family = address.getAddress() instanceof java.net.Inet6Address
                ? io.netty.channel.socket.SocketProtocolFamily.INET6 : io.netty.channel.socket.SocketProtocolFamily.INET;
        ServerBootstrap b = new ServerBootstrap().group(transport.group(), transport.group())
                .channelFactory(() -> new io.netty.channel.epoll.EpollServerSocketChannel(family))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(EpollChannelOption.IP_TRANSPARENT, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Acceptor(address, direct, observer, stats, ids));
                    }
                });
        TcpOptions.applyChild(b);
        try {
            Channel ch = b.bind(address).syncUninterruptibly().channel();
            log.info("transparent egress on tcp {} (send LAN traffic here with TPROXY)", Addresses.format(ch.localAddress()));
            return new TransparentEgress(ch, stats);
        } catch (RuntimeException e) {
            throw new IOException("cannot open the transparent egress listener on " + Addresses.format(address) + ": " + Errors.reason(e)
                    + " (IP_TRANSPARENT needs CAP_NET_ADMIN)", e);
        }
    }

    public ForwardStats stats() {
        return stats;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private static final class Acceptor extends FirstHandler {
        private final InetSocketAddress listen;
        private final Dialer direct;
        private final EgressObserver observer;
        private final ForwardStats stats;
        private final AtomicLong ids;

        Acceptor(InetSocketAddress listen, Dialer direct, EgressObserver observer, ForwardStats stats, AtomicLong ids) {
            this.listen = listen;
            this.direct = direct;
            this.observer = observer;
            this.stats = stats;
            this.ids = ids;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            InetSocketAddress client = (InetSocketAddress) inbound.remoteAddress();
            InetSocketAddress local = (InetSocketAddress) inbound.localAddress();
            // TPROXY keeps the original destination as the socket's local address; REDIRECT rewrote it to ours,
            // and conntrack remembers where the device was going.
            InetSocketAddress original = local.getPort() != listen.getPort() ? local
                    : OriginalDestination.of(inbound).filter(o -> !o.equals(local)).orElse(null);
            if (original == null) {
                // Someone connected to the egress port itself: there is no original destination to go to.
                log.debug("egress: {} connected to the egress port directly; closed", Addresses.format(client));
                inbound.close();
                return;
            }
            String host = original.getAddress().getHostAddress();
            String target = Addresses.hostPort(host, original.getPort());
            Connection conn = new Connection(ids.incrementAndGet(), "egress", Protocol.TCP, client, target, inbound);
            stats.connectionOpened();
            inbound.closeFuture().addListener(f -> stats.connectionClosed());
            observer.outbound(Addresses.unmap(client.getAddress()), Protocol.TCP, original.getPort());
            direct.dial(inbound, host, original.getPort()).addListener(f -> {
                if (!f.isSuccess()) {
                    stats.refused(ForwardStats.Refusal.DIAL_FAILED);
                    log.debug("egress: {} -> {}: {}", Addresses.format(client), target, Errors.reason(f.cause()));
                    inbound.close();
                    return;
                }
                Channel outbound = (Channel) f.getNow();
                if (!inbound.isActive()) {
                    outbound.close();
                    return;
                }
                ctx.pipeline().remove(this);
                Relay.join(inbound, outbound, conn, stats, Duration.ZERO);
                replayEarly(inbound, null);
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("egress: {}", Addresses.format(ctx.channel().remoteAddress()), cause);
            ctx.close();
        }
    }
}
