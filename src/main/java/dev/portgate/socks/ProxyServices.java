package dev.portgate.socks;

import dev.portgate.net.ActiveForward;
import dev.portgate.net.Dialer;
import dev.portgate.net.EgressObserver;
import dev.portgate.net.ProxyFrontends;
import dev.portgate.net.Transport;
import dev.portgate.net.Tunnels;
import dev.portgate.policy.LoginThrottle;
import dev.portgate.policy.Policy;
import io.netty.channel.ChannelHandler;
import java.util.concurrent.Executor;

/**
 * The services the proxy shares across connections: transport (resolver, socket types), the dialer
 * (direct today; through SSH with {@code via:}), the threads that check passwords off the event
 * loops, and the per-address throttle for wrong passwords.
 */
public record ProxyServices(
        Transport transport,
        Policy policy,
        Dialer dialer,
        Tunnels tunnels,
        Executor authWorkers,
        LoginThrottle throttle,
        EgressObserver egress)
        implements ProxyFrontends {

    @Override
    public ChannelHandler frontend(ActiveForward active) {
        return new ProxyDetector(active, this);
    }
}
