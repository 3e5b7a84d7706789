package dev.portgate.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;

/** Connects straight to the target over TCP, resolving names without blocking. */
public final class DirectDialer implements Dialer {

    private final Bootstrap bootstrap;

    public DirectDialer(Transport transport, int connectTimeoutMillis) {
        this.bootstrap = new Bootstrap()
                .channel(transport.socketChannel())
                .resolver(transport.resolver())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter());
        TcpOptions.apply(bootstrap);
    }

    @Override
    public Future<Channel> dial(Channel inbound, String host, int port) {
        Promise<Channel> promise = inbound.eventLoop().newPromise();
        ChannelFuture connect = bootstrap.clone(inbound.eventLoop())
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
