package dev.portgate.net;

import dev.portgate.forward.Addresses;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Connects straight to the target over TCP, resolving names without blocking. */
public final class DirectDialer implements Dialer {

    /** The relay is added once the connection is made; until then the pipeline is empty. */
    private static final ChannelInitializer<Channel> NO_HANDLER = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {
            EpollInterest.neverEmpty(ch);
        }
    };

    private final Bootstrap bootstrap;
    /**
     * For IP literals: no resolver. Netty makes a loop's DNS resolver (and its UDP socket) at the first connect
     * through a bootstrap that has one, even to an address that needs no resolving.
     */
    private final Bootstrap literalBootstrap;
    /** One configured bootstrap per event loop, so a dial does not copy the options each time. */
    private final Map<EventLoop, Bootstrap> perLoop = new ConcurrentHashMap<>();

    private final Map<EventLoop, Bootstrap> literalPerLoop = new ConcurrentHashMap<>();

    public DirectDialer(Transport transport, int connectTimeoutMillis) {
        this.bootstrap = new Bootstrap()
                .channel(transport.socketChannel())
                .resolver(transport.resolver())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.AUTO_READ, false)
                .handler(NO_HANDLER);
        TcpOptions.apply(bootstrap);
        this.literalBootstrap = bootstrap.clone().disableResolver();
    }

    @Override
    public Future<Channel> dial(Channel inbound, String host, int port) {
        Promise<Channel> promise = inbound.eventLoop().newPromise();
        // IP literals skip the resolver; names are resolved by it without blocking the loop.
        InetAddress literal = Addresses.literal(host);
        ChannelFuture connect = literal != null
                ? literalPerLoop
                        .computeIfAbsent(inbound.eventLoop(), literalBootstrap::clone)
                        .connect(new InetSocketAddress(literal, port))
                : perLoop.computeIfAbsent(inbound.eventLoop(), bootstrap::clone)
                        .connect(InetSocketAddress.createUnresolved(host, port));
        connect.addListener(f -> {
            if (f.isSuccess()) {
                promise.trySuccess(connect.channel());
            } else {
                promise.tryFailure(f.cause());
            }
        });
        return promise;
    }
}
