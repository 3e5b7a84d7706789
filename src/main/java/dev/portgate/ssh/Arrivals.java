package dev.portgate.ssh;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.apache.sshd.common.session.Session;

/**
 * Where a TCP channel that the SSH peer opens to us leads ({@link BridgedServerTcpip}): on portgate's server a
 * {@code direct-tcpip} goes to the host the client names, within its user's permit-open ({@link PermittedDirect});
 * on portgate's client a {@code forwarded-tcpip} goes to the target of the remote forward whose port was connected
 * ({@link SshEndpoint}). Asked once per channel open.
 */
interface Arrivals {

    /** The channel type served: {@code direct-tcpip} or {@code forwarded-tcpip}. */
    String channelType();

    /**
     * The route for a channel whose open names {@code host:port} (RFC 4254 §7.1 and §7.2: for {@code direct-tcpip}
     * where to connect, for {@code forwarded-tcpip} the server's address that was connected), or null: refused.
     */
    Route route(Session session, String host, int port, InetSocketAddress originator);

    /** The target to dial, and its owner's part once the target answers or does not. */
    record Route(String host, int port, Owner owner) {}

    /** Who lists and counts the connection. */
    interface Owner {
        /** Relays the tunnel and the target it reached, counted and listed under this owner. */
        void join(Channel tunnel, Channel target);

        /** The target could not be reached; the channel open is refused. */
        default void unreachable(Throwable cause) {}
    }
}
