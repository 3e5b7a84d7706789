package dev.portgate.ssh;

import dev.portgate.forward.RemoteForward;
import dev.portgate.net.Listener;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * The "listener" of a remote forward: the port is opened on the SSH server's side by a
 * {@code tcpip-forward} request, asked again after every reconnect. To the Reconciler it is a
 * listener like any other: opening can fail with the server's reason, closing cancels it.
 */
final class RemoteTunnelListener implements Listener {

    private final RemoteForward forward;
    private final Function<String, SshEndpoint> endpoints;
    private final Executor worker;

    RemoteTunnelListener(RemoteForward forward, Function<String, SshEndpoint> endpoints, Executor worker) {
        this.forward = forward;
        this.endpoints = endpoints;
        this.worker = worker;
    }

    @Override
    public Future<?> open() {
        Promise<Void> promise = GlobalEventExecutor.INSTANCE.newPromise();
        worker.execute(() -> {
            SshEndpoint ep = endpoints.apply(forward.via());
            if (ep == null) {
                promise.setFailure(new IllegalStateException("there is no ssh-endpoint named \"" + forward.via() + "\""));
                return;
            }
            try {
                ep.openRemote(forward.name(), new SshEndpoint.RemoteRequest(
                        new SshdSocketAddress(forward.listen().host(), forward.listen().ports().first()),
                        new SshdSocketAddress(forward.target().host(), forward.target().ports().first())));
                promise.setSuccess(null);
            } catch (RuntimeException e) {
                promise.setFailure(e);
            }
        });
        return promise;
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
        return "tcp " + forward.listen() + " on ssh-endpoint " + forward.via();
    }
}
