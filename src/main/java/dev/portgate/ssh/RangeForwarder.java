package dev.portgate.ssh;

import dev.portgate.forward.ListenSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;
import org.apache.sshd.common.forward.DefaultForwarder;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * MINA's forwarder, with one change: {@code -R 0:…} gets a free port from the user's permit-listen
 * range instead of any port the OS picks, and OpenSSH prints the one it got.
 */
final class RangeForwarder extends DefaultForwarder {

    private final TunnelPolicy policy;
    private final ConnectionService service;

    RangeForwarder(ConnectionService service, TunnelPolicy policy) {
        super(service);
        this.service = service;
        this.policy = policy;
    }

    @Override
    public synchronized SshdSocketAddress localPortForwardingRequested(SshdSocketAddress local) throws IOException {
        InetAddress bind = TunnelPolicy.bindAddress(local.getHostName());
        String host = bind == null ? local.getHostName() : bind.getHostAddress();
        if (local.getPort() != 0) {
            return super.localPortForwardingRequested(new SshdSocketAddress(host, local.getPort()));
        }
        Optional<ListenSpec> range = policy.user(service.getSession()).flatMap(u -> policy.permitted(u, bind, 0));
        if (range.isEmpty()) {
            throw new IOException("no permit-listen range for " + local);
        }
        IOException last = null;
        for (int port = range.get().ports().first(); port <= range.get().ports().last(); port++) {
            if (!free(host, port)) {
                continue;
            }
            try {
                return super.localPortForwardingRequested(new SshdSocketAddress(host, port));
            } catch (IOException busy) {
                last = busy;
            }
        }
        throw last != null ? last : new IOException("no free port in " + range.get());
    }

    /** A quick look first, so that taken ports are skipped without MINA logging each failed bind. */
    private static boolean free(String host, int port) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(host, port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
