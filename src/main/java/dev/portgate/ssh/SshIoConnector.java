package dev.portgate.ssh;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.SocketAddress;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.PropertyResolver;
import org.apache.sshd.common.io.DefaultIoConnectFuture;
import org.apache.sshd.common.io.IoConnectFuture;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.core.CoreModuleProperties;

/** The SSH client's outgoing connections, on the SSH event loops. */
final class SshIoConnector extends SshIoService implements IoConnector {

    /** What a connection was asked with, until it is up. */
    private record Asked(
            IoConnectFuture future, SocketAddress target, AttributeRepository context, SocketAddress local) {}

    private static final AttributeKey<Asked> ASKED = AttributeKey.valueOf(SshIoConnector.class, "asked");

    SshIoConnector(SshIo io, PropertyResolver properties, IoHandler handler) {
        super(io, properties, handler);
    }

    @Override
    public IoConnectFuture connect(SocketAddress target, AttributeRepository context, SocketAddress local) {
        IoConnectFuture future = new DefaultIoConnectFuture(target, null);
        long timeout =
                CoreModuleProperties.IO_CONNECT_TIMEOUT.getRequired(properties).toMillis();
        Bootstrap b = new Bootstrap()
                .group(io.loopFor(context))
                .channel(io.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout)))
                .attr(ASKED, new Asked(future, target, context, local))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        new SshIoSession(SshIoConnector.this, handler, ch, null);
                    }
                });
        ChannelFuture connecting = local == null ? b.connect(target) : b.connect(target, local);
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                future.setException(new IOException(
                        "cannot connect to " + target + ": " + f.cause().getMessage(), f.cause()));
            }
        });
        future.addListener(f -> {
            if (f.isCanceled()) {
                connecting.channel().close();
            }
        });
        return future;
    }

    @Override
    void opened(SshIoSession session) {
        Asked asked = session.channelAttr(ASKED);
        IoServiceEventListener l = getIoServiceEventListener();
        if (l != null) {
            try {
                l.connectionEstablished(this, session.getLocalAddress(), asked.context(), session.getRemoteAddress());
            } catch (IOException | RuntimeException refused) {
                session.close(true);
                asked.future().setException(refused);
                return;
            }
        }
        if (asked.context() != null) {
            session.setAttribute(AttributeRepository.class, asked.context());
        }
        if (asked.future().isCanceled()) {
            session.close(true);
            return;
        }
        if (start(session)) {
            asked.future().setSession(session);
        } else {
            asked.future().setException(new IOException("the SSH session on " + session + " could not start"));
        }
    }
}
