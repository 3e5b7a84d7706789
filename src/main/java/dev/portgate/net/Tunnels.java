package dev.portgate.net;

import dev.portgate.forward.SiteSession;
import dev.portgate.forward.TunnelSessionForward;
import io.netty.channel.EventLoopGroup;

/**
 * What the data plane needs from the SSH endpoints, without depending on SSH: a dialer through a
 * named endpoint ({@code via:}), and the "listener" of a remote forward (a port opened on the far side).
 */
public interface Tunnels {

    Dialer via(String endpoint);

    Listener remote(ActiveForward active);

    /**
     * The event loop that connections through {@code endpoint} should be accepted on — its SSH connection's, so
     * that one thread reads, encrypts and writes them — or null for any of the data plane's.
     */
    default EventLoopGroup loopOf(String endpoint) {
        return null;
    }

    /** The same for a session of portgate's own server that an {@code ssh -R} forward dials back through. */
    default EventLoopGroup sessionLoop(String id) {
        return null;
    }

    /** A dialer back through an SSH session of portgate's own server ({@code ssh -R}); fails if it is gone. */
    default Dialer session(String id) {
        return (inbound, host, port) ->
                inbound.eventLoop().newFailedFuture(new IllegalStateException("SSH session " + id + " is gone"));
    }

    /** A dialer back to the portgate tunnel client that asked for {@code forward}; fails if it is gone. */
    default Dialer back(TunnelSessionForward forward) {
        return back(forward.name(), new SiteSession.Tunnel(forward.session(), forward.request()));
    }

    /** A dialer back to the tunnel client of {@code session}, for its request; fails if it is gone. */
    default Dialer back(String forward, SiteSession.Tunnel session) {
        return (inbound, host, port) -> inbound.eventLoop()
                .newFailedFuture(new IllegalStateException("tunnel session " + session.id() + " is gone"));
    }

    /** The flows of {@code forward}'s UDP: datagrams back through the portgate tunnel client that asked for it. */
    default UdpFlow.Opener backUdp(TunnelSessionForward forward) {
        return (active, frontend, client, listenPort, onClose) -> null;
    }

    /** For gateways without SSH endpoints: every {@code via:} fails with a clear reason. */
    Tunnels NONE = new Tunnels() {
        @Override
        public Dialer via(String endpoint) {
            return (inbound, host, port) -> inbound.eventLoop()
                    .newFailedFuture(new IllegalStateException("there is no ssh-endpoint named \"" + endpoint + "\""));
        }

        @Override
        public Listener remote(ActiveForward active) {
            throw new IllegalStateException("there are no ssh-endpoints");
        }
    };
}
