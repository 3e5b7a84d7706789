package dev.portgate.net;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loops and socket types: native epoll on Linux, NIO elsewhere, chosen once. Also the
 * non-blocking DNS resolver every dial uses, so no event loop ever waits on a lookup.
 */
public final class Transport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    private final boolean epoll;
    private final IoHandlerFactory io;
    private final EventLoopGroup group;
    /** The one loop of the tunnel servers' QUIC and of the node links (see {@link #tunnelLoop()}). */
    private final EventLoop tunnelLoop;

    private final AddressResolverGroup<InetSocketAddress> resolver;

    public Transport(int threads) {
        this.epoll = Epoll.isAvailable();
        this.io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(threads, io);
        this.tunnelLoop = group.next();
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .socketChannelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class));
        if (epoll) {
            log.info("transport: native epoll, {} event loop threads", threads);
        } else {
            log.info(
                    "transport: NIO, {} event loop threads (native epoll unavailable: {})",
                    threads,
                    Epoll.unavailabilityCause() == null
                            ? "not Linux"
                            : Epoll.unavailabilityCause().getMessage());
        }
    }

    public boolean isEpoll() {
        return epoll;
    }

    public EventLoopGroup group() {
        return group;
    }

    /**
     * The loop of the tunnel servers' QUIC sockets (every QUIC connection lives on its socket's loop) and of this
     * node's node links: a player carried over a node link to a tunnel client goes from one to the other on one
     * thread. Relayed between two loops, each read is a task and a wake-up on the other; that cost a fifth of a
     * node link's throughput here (bench/RESULTS.md).
     */
    public EventLoop tunnelLoop() {
        return tunnelLoop;
    }

    /** More loops of the same kind, for a part that must not share the data plane's (threads named {@code name}). */
    public EventLoopGroup newLoops(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
    }

    public AddressResolverGroup<InetSocketAddress> resolver() {
        return resolver;
    }

    public Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends Channel> socketChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public Class<? extends DatagramChannel> datagramChannel() {
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    @Override
    public void close() {
        resolver.close();
        // Bounded: a stuck loop must not keep the process from exiting.
        if (!group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            log.warn("event loops did not stop within 5 s; exiting anyway");
        }
    }
}
