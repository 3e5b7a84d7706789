package dev.portgate.ssh;

import java.net.InetSocketAddress;
import java.util.function.IntFunction;
import org.apache.sshd.common.session.Session;

/**
 * {@code forwarded-tcpip} on portgate's client: the server has accepted a connection on the port of one of our remote
 * forwards, and it goes to that forward's target — nowhere else, whatever the channel open says.
 * {@code listeningOn} gives the remote forward the server listens for on a port (as it answered), or null.
 */
record ForwardedBack(IntFunction<SshEndpoint.RemoteRequest> listeningOn) implements Arrivals {

    @Override
    public String channelType() {
        return "forwarded-tcpip";
    }

    @Override
    public Route route(Session session, String host, int port, InetSocketAddress originator) {
        SshEndpoint.RemoteRequest forward = listeningOn.apply(port);
        if (forward == null) {
            return null;
        }
        return new Route(
                forward.local().getHostName(),
                forward.local().getPort(),
                forward.owner().apply(originator));
    }
}
