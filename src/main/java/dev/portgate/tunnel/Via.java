package dev.portgate.tunnel;

import dev.portgate.forward.RemoteForward;
import dev.portgate.forward.SiteSession;
import dev.portgate.forward.TunnelSessionForward;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Dialer;
import dev.portgate.net.Listener;
import dev.portgate.net.Tunnels;
import dev.portgate.net.UdpFlow;
import io.netty.channel.EventLoopGroup;

/**
 * What {@code via:} names — an ssh-endpoint or a tunnel-endpoint, one namespace — and the way back to the
 * clients of this gateway's own servers (SSH sessions, tunnel sessions), for the data plane.
 */
public final class Via implements Tunnels {

    private final Tunnels ssh;
    private final TunnelEndpoints tunnels;
    private final TunnelLinks sessions;

    public Via(Tunnels ssh, TunnelEndpoints tunnels, TunnelLinks sessions) {
        this.ssh = ssh;
        this.tunnels = tunnels;
        this.sessions = sessions;
    }

    @Override
    public Dialer via(String endpoint) {
        return tunnels.has(endpoint) ? tunnels.dialer(endpoint) : ssh.via(endpoint);
    }

    @Override
    public Listener remote(ActiveForward active) {
        RemoteForward f = (RemoteForward) active.forward();
        return tunnels.has(f.via()) ? tunnels.remote(active) : ssh.remote(active);
    }

    @Override
    public EventLoopGroup loopOf(String endpoint) {
        return tunnels.has(endpoint) ? tunnels.loopOf(endpoint) : ssh.loopOf(endpoint);
    }

    @Override
    public EventLoopGroup sessionLoop(String id) {
        EventLoopGroup loop = sessions.loopOf(id);
        return loop != null ? loop : ssh.sessionLoop(id);
    }

    @Override
    public Dialer session(String id) {
        return ssh.session(id);
    }

    @Override
    public Dialer back(String forward, SiteSession.Tunnel session) {
        return sessions.back(forward, session);
    }

    @Override
    public UdpFlow.Opener backUdp(TunnelSessionForward forward) {
        return sessions.backUdp(forward);
    }
}
