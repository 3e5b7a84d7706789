package dev.portgate.ssh;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Destination;
import dev.portgate.forward.ListenSpec;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.ForwardingFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MINA's narrow policy hook, asked once per request: what a user may expose with {@code -R}
 * (permit-listen) and where {@code -L}/{@code -D} may go (permit-open). No agent, no X11.
 */
final class TunnelPolicy implements ForwardingFilter {

    private static final Logger log = LoggerFactory.getLogger(TunnelPolicy.class);

    private final Supplier<SshServerConfig> config;
    /** When each kind of refusal was last logged: a client looping on a refused request logs once a minute. */
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    TunnelPolicy(Supplier<SshServerConfig> config) {
        this.config = config;
    }

    Optional<SshUser> user(Session session) {
        return session.getUsername() == null ? Optional.empty() : config.get().user(session.getUsername());
    }

    /** The address a bind request means: "" / "*" / 0.0.0.0 every address, "localhost" the loopback. */
    static InetAddress bindAddress(String host) {
        try {
            if (host == null || host.isEmpty() || host.equals("*")) {
                return InetAddress.getByName("0.0.0.0");
            }
            if (host.equalsIgnoreCase("localhost")) {
                return InetAddress.getLoopbackAddress();
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return Addresses.literal(host);
    }

    /** The permit-listen entry that covers this bind (port 0: any port of the entry), if any. */
    Optional<ListenSpec> permitted(SshUser user, InetAddress address, int port) {
        for (ListenSpec p : user.permitListen()) {
            boolean addressOk = p.isWildcard() || p.address().equals(address);
            boolean portOk =
                    port == 0 || (port >= p.ports().first() && port <= p.ports().last());
            if (addressOk && portOk) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean canListen(SshdSocketAddress address, Session session) {
        Optional<SshUser> user = user(session);
        InetAddress bind = bindAddress(address.getHostName());
        boolean ok = user.isPresent()
                && bind != null
                && permitted(user.get(), bind, address.getPort()).isPresent();
        if (!ok && firstInAMinute("listen " + session.getUsername() + " " + address)) {
            log.info(
                    "ssh: {} from {} may not listen on {} (permit-listen)",
                    session.getUsername(),
                    Addresses.format(session.getRemoteAddress()),
                    address);
        }
        return ok;
    }

    @Override
    public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
        Optional<SshUser> user = user(session);
        if (type != Type.Direct || user.isEmpty()) {
            return false;
        }
        String host = address.getHostName();
        int port = address.getPort();
        InetAddress literal = Addresses.literal(host);
        String name = literal == null ? host : null;
        boolean ok = false;
        for (Destination d : user.get().permitOpen()) {
            InetAddress resolved = literal;
            if (d.needsAddress() && resolved == null) {
                // MINA threads, not Netty's: a blocking look-up is acceptable here.
                try {
                    resolved = InetAddress.getByName(host);
                } catch (UnknownHostException e) {
                    resolved = null;
                }
            }
            if (d.matches(name, resolved, port)) {
                ok = true;
                break;
            }
        }
        if (!ok && firstInAMinute("open " + session.getUsername() + " " + host + ":" + port)) {
            log.info(
                    "ssh: {} from {} may not open {} (permit-open; said once a minute)",
                    session.getUsername(),
                    Addresses.format(session.getRemoteAddress()),
                    Addresses.hostPort(host, port));
        }
        return ok;
    }

    private boolean firstInAMinute(String what) {
        long now = System.nanoTime();
        if (lastLogged.size() > 10_000) {
            lastLogged.clear();
        }
        Long before = lastLogged.get(what);
        if (before != null && now - before < 60_000_000_000L) {
            return false;
        }
        lastLogged.put(what, now);
        return true;
    }

    @Override
    public boolean canForwardAgent(Session session, String requestType) {
        return false;
    }

    @Override
    public boolean canForwardX11(Session session, String requestType) {
        return false;
    }
}
