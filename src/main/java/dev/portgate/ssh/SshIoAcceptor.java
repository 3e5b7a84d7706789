package dev.portgate.ssh;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.PropertyResolver;
import org.apache.sshd.common.io.IoAcceptor;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.core.CoreModuleProperties;

/** The SSH server's listening sockets on the SSH event loops; each connection stays on the loop that accepted it. */
final class SshIoAcceptor extends SshIoService implements IoAcceptor {

    private final Map<SocketAddress, Channel> bound = new ConcurrentHashMap<>();

    SshIoAcceptor(SshIo io, PropertyResolver properties, IoHandler handler) {
        super(io, properties, handler);
    }

    @Override
    public void bind(SocketAddress address) throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(io.loops())
                .channel(io.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        new SshIoSession(SshIoAcceptor.this, handler, ch, ch.localAddress());
                    }
                });
        // MINA's backlog 0 means "the default" (as NIO2 takes it); listen(2) would take it as a queue of one.
        int backlog = CoreModuleProperties.SOCKET_BACKLOG.getRequired(properties);
        if (backlog > 0) {
            b.option(ChannelOption.SO_BACKLOG, backlog);
        }
        ChannelFuture f = b.bind(address).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IOException(
                    "cannot listen on " + address + ": " + f.cause().getMessage(), f.cause());
        }
        bound.put(f.channel().localAddress(), f.channel());
    }

    @Override
    public void bind(Collection<? extends SocketAddress> addresses) throws IOException {
        for (SocketAddress a : addresses) {
            bind(a);
        }
    }

    @Override
    void opened(SshIoSession session) {
        IoServiceEventListener l = getIoServiceEventListener();
        if (l != null) {
            try {
                l.connectionAccepted(
                        this, session.getLocalAddress(), session.getRemoteAddress(), session.getAcceptanceAddress());
            } catch (IOException | RuntimeException refused) {
                log.debug("{} refused: {}", session, refused.toString());
                session.close(true);
                return;
            }
        }
        start(session);
    }

    @Override
    public void unbind(SocketAddress address) {
        Channel c = bound.remove(address);
        if (c != null) {
            c.close().awaitUninterruptibly();
        }
    }

    @Override
    public void unbind(Collection<? extends SocketAddress> addresses) {
        addresses.forEach(this::unbind);
    }

    @Override
    public void unbind() {
        Set.copyOf(bound.keySet()).forEach(this::unbind);
    }

    @Override
    public Set<SocketAddress> getBoundAddresses() {
        return Set.copyOf(bound.keySet());
    }

    @Override
    protected void doCloseImmediately() {
        unbind();
        super.doCloseImmediately();
    }
}
