package dev.portgate.net;

import dev.portgate.forward.Addresses;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/** Accepts TCP connections on one address and port; each new connection starts with the handler given. */
public final class TcpListener implements Listener {

    private final ServerBootstrap bootstrap;
    private final InetSocketAddress address;
    private volatile Channel channel;

    /**
     * {@code children}: the loops new connections go to, or null for the data plane's; {@code owner}: the
     * forward whose refusals an accept that fails counts (null: a port shared by many, such as name routing's).
     */
    public TcpListener(
            Transport transport,
            EventLoopGroup children,
            ActiveForward owner,
            InetAddress address,
            int port,
            Supplier<ChannelHandler> firstHandler) {
        this.address = new InetSocketAddress(address, port);
        this.bootstrap = new ServerBootstrap()
                .group(transport.group(), children == null ? transport.group() : children)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new AcceptFailures(owner))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        EpollInterest.neverEmpty(ch);
                        ch.pipeline().addLast(firstHandler.get());
                    }
                });
        TcpOptions.applyChild(bootstrap);
    }

    @Override
    public Future<?> open() {
        ChannelFuture bind = bootstrap.bind(address);
        channel = bind.channel();
        return bind;
    }

    @Override
    public void close() {
        Channel ch = channel;
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
    }

    @Override
    public String describe() {
        return "tcp " + Addresses.hostPort(NetUtil.toAddressString(address.getAddress()), address.getPort());
    }
}
