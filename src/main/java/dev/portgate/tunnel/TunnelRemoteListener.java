package dev.portgate.tunnel;

import dev.portgate.forward.Protocol;
import dev.portgate.forward.RemoteForward;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Listener;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.function.Function;

/**
 * The "listener" of a remote forward through a portgate tunnel: the public port is opened on the tunnel server
 * by a listen request, asked again after every reconnect. Opening fails with the server's reason (or "not
 * connected"), and the Reconciler retries it like any listener.
 */
final class TunnelRemoteListener implements Listener {

    private final ActiveForward active;
    private final RemoteForward forward;
    private final Function<String, TunnelEndpoint> endpoints;

    TunnelRemoteListener(ActiveForward active, Function<String, TunnelEndpoint> endpoints) {
        this.active = active;
        this.forward = (RemoteForward) active.forward();
        this.endpoints = endpoints;
    }

    @Override
    public Future<?> open() {
        TunnelEndpoint ep = endpoints.apply(forward.via());
        if (ep == null) {
            return GlobalEventExecutor.INSTANCE.newFailedFuture(
                    new IllegalStateException("there is no tunnel-endpoint named \"" + forward.via() + "\""));
        }
        return ep.openRemote(active);
    }

    @Override
    public void close() {
        TunnelEndpoint ep = endpoints.apply(forward.via());
        if (ep != null) {
            ep.closeRemote(forward.name());
        }
    }

    @Override
    public String describe() {
        return Protocol.label(forward.carried()) + " " + forward.listen() + " on tunnel-endpoint " + forward.via();
    }
}
