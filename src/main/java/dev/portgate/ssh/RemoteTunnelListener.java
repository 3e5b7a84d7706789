package dev.portgate.ssh;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.RemoteForward;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Connection;
import dev.portgate.net.Errors;
import dev.portgate.net.ForwardStats;
import dev.portgate.net.Listener;
import dev.portgate.net.Relay;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "listener" of a remote forward: the port is opened on the SSH server's side by a
 * {@code tcpip-forward} request, asked again after every reconnect. To the Reconciler it is a
 * listener like any other: opening can fail with the server's reason, closing cancels it. The
 * connections the server passes back are the forward's: listed, counted and relayed like a
 * port forward's.
 */
final class RemoteTunnelListener implements Listener {

    private static final Logger log = LoggerFactory.getLogger(RemoteTunnelListener.class);

    private final ActiveForward active;
    private final RemoteForward forward;
    private final Function<String, SshEndpoint> endpoints;
    private final Executor worker;

    RemoteTunnelListener(ActiveForward active, Function<String, SshEndpoint> endpoints, Executor worker) {
        this.active = active;
        this.forward = (RemoteForward) active.forward();
        this.endpoints = endpoints;
        this.worker = worker;
    }

    @Override
    public Future<?> open() {
        Promise<Void> promise = GlobalEventExecutor.INSTANCE.newPromise();
        worker.execute(() -> {
            SshEndpoint ep = endpoints.apply(forward.via());
            if (ep == null) {
                promise.setFailure(
                        new IllegalStateException("there is no ssh-endpoint named \"" + forward.via() + "\""));
                return;
            }
            try {
                Future<Void> answer = ep.openRemote(
                        forward.name(),
                        new SshEndpoint.RemoteRequest(
                                new SshdSocketAddress(
                                        forward.host() == null
                                                ? forward.listen().host()
                                                : forward.host().toString(),
                                        forward.listen().ports().first()),
                                new SshdSocketAddress(
                                        forward.target().host(),
                                        forward.target().ports().first()),
                                this::owner,
                                forward.host() != null));
                answer.addListener(a -> {
                    if (a.isSuccess()) {
                        promise.trySuccess(null);
                    } else {
                        promise.tryFailure(a.cause());
                    }
                });
            } catch (RuntimeException e) {
                promise.setFailure(e);
            }
        });
        return promise;
    }

    /** The forward's part in one connection the server passed back from {@code originator}. */
    private Arrivals.Owner owner(InetSocketAddress originator) {
        String target = Addresses.hostPort(
                forward.target().host(), forward.target().ports().first());
        return new Arrivals.Owner() {
            @Override
            public void join(Channel tunnel, Channel to) {
                Connection conn = active.openTcp(tunnel, originator, target);
                Relay.join(tunnel, to, conn, active.stats(), Duration.ZERO);
            }

            @Override
            public void unreachable(Throwable cause) {
                active.stats().refused(ForwardStats.Refusal.DIAL_FAILED);
                log.warn(
                        "forward \"{}\": cannot reach {} for {}: {}",
                        forward.name(),
                        target,
                        Addresses.format(originator),
                        Errors.reason(cause));
            }
        };
    }

    @Override
    public void close() {
        SshEndpoint ep = endpoints.apply(forward.via());
        if (ep != null) {
            ep.closeRemote(forward.name());
        }
    }

    @Override
    public String describe() {
        return (forward.host() == null ? "tcp " + forward.listen() : "site " + forward.host()) + " on ssh-endpoint "
                + forward.via();
    }
}
