package dev.portgate.ssh;

import java.net.InetSocketAddress;
import java.util.function.BiFunction;
import org.apache.sshd.common.session.Session;

/**
 * {@code forwarded-tcpip} on portgate's client: the server has accepted a connection on the port of one of our remote
 * forwards, and it goes to that forward's target — nowhere else, whatever the channel open says.
 * {@code listeningOn} gives the remote forward the server listens for on an address and port (a site's name and
 * port 80, or any address and the port it answered), or null.
 */
record ForwardedBack(BiFunction<String, Integer, SshEndpoint.RemoteRequest> listeningOn) implements Arrivals {

    @Override
    public String channelType() {
        return "forwarded-tcpip";
    }

    @Override
    public Route route(Session session, String host, int port, InetSocketAddress originator) {
        SshEndpoint.RemoteRequest forward = listeningOn.apply(host, port);
        if (forward == null) {
            return null;
        }
        return new Route(
                forward.local().getHostName(),
                forward.local().getPort(),
                forward.owner().apply(originator));
    }
}
