package dev.portgate.ssh;

import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.PortRange;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;
import org.apache.sshd.common.forward.DefaultForwarder;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.session.ServerSession;

/**
 * The server side of {@code ssh -R}: instead of MINA binding a port of its own, the request becomes a
 * session-scoped forward through {@link SessionRules} (opened by the Reconciler, shown in the console,
 * conflict-checked). {@code -R 0:…} gets a free port from the user's permit-listen range, and OpenSSH
 * prints the one it got.
 */
final class RangeForwarder extends DefaultForwarder {

    private final TunnelPolicy policy;
    private final ConnectionService service;
    private final SessionRules rules;

    RangeForwarder(ConnectionService service, TunnelPolicy policy, SessionRules rules) {
        super(service);
        this.service = service;
        this.policy = policy;
        this.rules = rules;
    }

    @Override
    public synchronized SshdSocketAddress localPortForwardingRequested(SshdSocketAddress local) throws IOException {
        ServerSession session = (ServerSession) service.getSession();
        Optional<SshUser> user = policy.user(session);
        if (user.isPresent() && rules.isSiteRequest(user.get(), local.getHostName(), local.getPort())) {
            return rules.openSite(session, user.get(), local.getHostName(), local.getPort());
        }
        InetAddress bind = TunnelPolicy.bindAddress(local.getHostName());
        if (bind == null) {
            throw new IOException("\"" + local.getHostName() + "\" is not an address portgate can listen on");
        }
        // MINA asks the filter inside the forwarder this replaces: ask it here, first.
        if (!policy.canListen(local, session)) {
            throw new IOException("rejected by permit-listen: " + local);
        }
        int port = local.getPort();
        if (port == 0) {
            Optional<ListenSpec> range = policy.user(session).flatMap(u -> policy.permitted(u, bind, 0));
            if (range.isEmpty()) {
                throw new IOException("no permit-listen range for " + local);
            }
            port = -1;
            for (int p = range.get().ports().first(); p <= range.get().ports().last() && port < 0; p++) {
                if (free(bind, p)) {
                    port = p;
                }
            }
            if (port < 0) {
                throw new IOException("no free port in " + range.get());
            }
        }
        return rules.open(session, local.getHostName(), new ListenSpec(bind, PortRange.of(port)));
    }

    @Override
    public synchronized void localPortForwardingCancelled(SshdSocketAddress local) throws IOException {
        // As OpenSSH: cancelling a forward this session never made is a failure, not a silent success.
        if (!rules.close((ServerSession) service.getSession(), local.getHostName(), local.getPort())) {
            throw new IOException("this session has no remote forward on port " + local.getPort());
        }
    }

    /** A quick look first, so that taken ports are skipped. */
    private static boolean free(InetAddress host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
