package dev.portgate.socks;

import dev.portgate.forward.DynamicForward;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Connection;
import dev.portgate.net.Dialer;
import dev.portgate.net.EgressObserver;
import dev.portgate.net.Transport;
import dev.portgate.policy.LoginThrottle;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;

/**
 * What every handler of one proxied connection needs: the forward, its connection record, the
 * shared services, and the handshake deadline (a client that never finishes its handshake is cut).
 */
final class ProxyContext {

    private final ActiveForward active;
    private final Connection connection;
    private final ProxyServices services;
    private ScheduledFuture<?> handshakeDeadline;

    ProxyContext(ActiveForward active, Connection connection, ProxyServices services) {
        this.active = active;
        this.connection = connection;
        this.services = services;
    }

    ActiveForward active() {
        return active;
    }

    DynamicForward forward() {
        return (DynamicForward) active.forward();
    }

    EgressObserver egress() {
        return services.egress();
    }

    Connection connection() {
        return connection;
    }

    Transport transport() {
        return services.transport();
    }

    /** Directly, or through the SSH endpoint the forward names in {@code via}. */
    Dialer dialer() {
        String via = forward().via();
        return via == null ? services.dialer() : services.tunnels().via(via);
    }

    Executor authWorkers() {
        return services.authWorkers();
    }

    LoginThrottle throttle() {
        return services.throttle();
    }

    void handshakeDeadline(ScheduledFuture<?> deadline) {
        this.handshakeDeadline = deadline;
    }

    /** The client got through the handshake: no deadline any more. */
    void handshakeDone() {
        if (handshakeDeadline != null) {
            handshakeDeadline.cancel(false);
        }
    }
}
