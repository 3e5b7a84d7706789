package dev.portgate.http;

import dev.portgate.forward.HttpForward;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Dialer;
import io.netty.handler.ssl.SslContext;

/**
 * A site as the front end serves it: its running forward (policy, counters, the connection list), the way to its
 * target, the TLS context towards the target when the target speaks https ({@code target-tls}), and its idle
 * target connections ({@code idle}; null where the target is reached through a client's session, not dialled).
 */
record Site(ActiveForward active, Dialer dialer, SslContext targetTls, IdleTargets idle) {

    HttpForward forward() {
        return (HttpForward) active.forward();
    }

    String targetHost() {
        return forward().target().host();
    }

    int targetPort() {
        return forward().target().ports().first();
    }
}
