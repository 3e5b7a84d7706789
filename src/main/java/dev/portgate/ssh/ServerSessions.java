package dev.portgate.ssh;

import dev.portgate.net.Sources;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.session.ServerSession;

/**
 * The live sessions of portgate's SSH server, by id, so that the data plane can dial back through
 * one of them: a {@code forwarded-tcpip} channel, dressed as a Netty channel like the client's tunnels.
 */
public final class ServerSessions {

    private final Map<String, ServerSession> byId = new ConcurrentHashMap<>();

    String add(ServerSession session) {
        String id = Long.toHexString(System.identityHashCode(session)) + "-"
                + Long.toHexString(System.nanoTime() & 0xffffff);
        byId.put(id, session);
        session.addCloseFutureListener(f -> byId.remove(id));
        return id;
    }

    /** The loop session {@code id}'s connection lives on, or null if it has ended. */
    EventLoop loopOf(String id) {
        ServerSession session = byId.get(id);
        return session != null && session.getIoSession() instanceof SshIoSession io ? io.eventLoop() : null;
    }

    /** Dials back to the client of session {@code id}: {@code host:port} is the forward it asked for. */
    public Future<Channel> dial(String id, Channel inbound, String host, int port) {
        Promise<Channel> promise = inbound.eventLoop().newPromise();
        ServerSession session = byId.get(id);
        if (session == null || !session.isOpen()) {
            return promise.setFailure(new IOException("the SSH session that asked for this port has ended"));
        }
        EventLoop own = loopOf(id);
        if (own == null || own.inEventLoop()) {
            open(session, inbound, host, port, own == null ? inbound.eventLoop() : own, promise);
        } else {
            // MINA's writes for a session must come from its loop, or its packets can leave out of order.
            own.execute(() -> open(session, inbound, host, port, own, promise));
        }
        return promise;
    }

    private static void open(
            ServerSession session, Channel inbound, String host, int port, EventLoop loop, Promise<Channel> promise) {
        try {
            InetSocketAddress from = Sources.of(inbound);
            BridgedTcpip ch = new BridgedTcpip(
                    "forwarded-tcpip",
                    new SshdSocketAddress(from.getAddress().getHostAddress(), from.getPort()),
                    new SshdSocketAddress(host, port));
            session.getService(ConnectionService.class).registerChannel(ch);
            SshTunnelChannel.openOnto(ch, loop, host, port, "the SSH client", promise);
        } catch (IOException | RuntimeException e) {
            promise.tryFailure(e);
        }
    }
}
