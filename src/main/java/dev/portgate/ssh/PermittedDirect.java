package dev.portgate.ssh;

import dev.portgate.forward.Addresses;
import dev.portgate.net.SideConnections;
import java.net.InetSocketAddress;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.TcpForwardingFilter;

/**
 * {@code direct-tcpip} on portgate's server ({@code ssh -L}, {@code ssh -D}): to the host the client names if its
 * user's permit-open allows it, listed and counted as the user's ({@code ssh-<user>}) beside the forwards.
 */
record PermittedDirect(SideConnections side) implements Arrivals {

    @Override
    public String channelType() {
        return "direct-tcpip";
    }

    @Override
    public Route route(Session session, String host, int port, InetSocketAddress originator) {
        TcpForwardingFilter filter = session.getFactoryManager().getTcpForwardingFilter();
        if (filter == null
                || !filter.canConnect(TcpForwardingFilter.Type.Direct, new SshdSocketAddress(host, port), session)) {
            return null;
        }
        // Listed as the user's: its client is the SSH client's address, not the originator it names.
        InetSocketAddress client = session.getRemoteAddress() instanceof InetSocketAddress a ? a : originator;
        String owner = "ssh-" + session.getUsername();
        return new Route(
                host,
                port,
                (tunnel, target) -> side.join(owner, client, Addresses.hostPort(host, port), tunnel, target));
    }
}
