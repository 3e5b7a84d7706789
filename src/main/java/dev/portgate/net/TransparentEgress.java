package dev.portgate.net;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Protocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
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

    private TransparentEgress(Channel channel) {
        this.channel = channel;
    }

    /** Its connections are listed and counted in {@code side}, as {@code egress}. */
    public static TransparentEgress open(
            Transport transport,
            InetSocketAddress address,
            Dialer direct,
            EgressObserver observer,
            SideConnections side)
            throws IOException {
        if (!transport.isEpoll()) {
            throw new IOException(
                    "the transparent egress listener needs Linux's native transport (epoll) for IP_TRANSPARENT");
        }
        // One address family on purpose: IP_TRANSPARENT is an IPv4 option, and a dual-stack socket would not take it.
        SocketProtocolFamily family =
                address.getAddress() instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        ServerBootstrap b = new ServerBootstrap()
                .group(transport.group(), transport.group())
                .channelFactory(() -> new EpollServerSocketChannel(family))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(EpollChannelOption.IP_TRANSPARENT, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        EpollInterest.neverEmpty(ch);
                        ch.pipeline().addLast(new Acceptor(address, direct, observer, side));
                    }
                });
        TcpOptions.applyChild(b);
        try {
            Channel ch = b.bind(address).syncUninterruptibly().channel();
            log.info(
                    "transparent egress on tcp {} (send LAN traffic here with TPROXY)",
                    Addresses.format(ch.localAddress()));
            return new TransparentEgress(ch);
        } catch (RuntimeException e) {
            throw new IOException(
                    "cannot open the transparent egress listener on " + Addresses.format(address) + ": "
                            + Errors.reason(e) + " (IP_TRANSPARENT needs CAP_NET_ADMIN)",
                    e);
        }
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private static final class Acceptor extends FirstHandler {
        private final InetSocketAddress listen;
        private final Dialer direct;
        private final EgressObserver observer;
        private final SideConnections side;

        Acceptor(InetSocketAddress listen, Dialer direct, EgressObserver observer, SideConnections side) {
            this.listen = listen;
            this.direct = direct;
            this.observer = observer;
            this.side = side;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            InetSocketAddress client = (InetSocketAddress) inbound.remoteAddress();
            InetSocketAddress local = (InetSocketAddress) inbound.localAddress();
            // TPROXY keeps the original destination as the socket's local address; REDIRECT rewrote it to ours,
            // and conntrack remembers where the device was going.
            InetSocketAddress original = local.getPort() != listen.getPort()
                    ? local
                    : OriginalDestination.of(inbound)
                            .filter(o -> !o.equals(local))
                            .orElse(null);
            if (original == null) {
                // Someone connected to the egress port itself: there is no original destination to go to.
                log.debug("egress: {} connected to the egress port directly; closed", Addresses.format(client));
                inbound.close();
                return;
            }
            String host = original.getAddress().getHostAddress();
            String target = Addresses.hostPort(host, original.getPort());
            observer.outbound(Addresses.unmap(client.getAddress()), Protocol.TCP, original.getPort());
            direct.dial(inbound, host, original.getPort()).addListener(f -> {
                if (!f.isSuccess()) {
                    side.stats().refused(ForwardStats.Refusal.DIAL_FAILED);
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
                side.join("egress", client, target, inbound, outbound);
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
