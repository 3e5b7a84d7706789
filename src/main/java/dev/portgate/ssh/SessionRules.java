package dev.portgate.ssh;

import dev.portgate.forward.BadHost;
import dev.portgate.forward.HostName;
import dev.portgate.forward.HostPattern;
import dev.portgate.forward.HttpForward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Origin;
import dev.portgate.forward.PortRange;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.SiteSession;
import dev.portgate.forward.SiteTls;
import dev.portgate.forward.SshSessionForward;
import dev.portgate.forward.TargetSpec;
import dev.portgate.net.SiteNames;
import dev.portgate.rules.Actor;
import dev.portgate.rules.ChangeResult;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.session.ServerSession;

/**
 * Makes {@code ssh -R} requests on portgate's server into forwards through RuleService — so they are
 * conflict-checked, shown in the console and audited like any other — opened by the Reconciler, and
 * removed when the client cancels them or its session ends.
 */
public final class SessionRules {

    private final RuleService rules;
    private final Reconciler reconciler;
    private final ServerSessions sessions;
    private final Executor changes;
    private final Map<ServerSession, String> ids = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> forwardsOf = new ConcurrentHashMap<>();
    /** The bind address and port each site forward was asked for: a cancel names them. */
    private final Map<String, SshdSocketAddress> siteRequests = new ConcurrentHashMap<>();

    private final SiteNames sites;
    private final SessionNotices notices = new SessionNotices();

    /**
     * {@code changes} runs every change a session makes — its {@code ssh -R} requests and the removal of its
     * forwards when it ends — one at a time in order, off the SSH loops; a removal therefore follows any open
     * still under way, and a forward opened for a session that ended meanwhile is removed too.
     */
    public SessionRules(
            RuleService rules, Reconciler reconciler, ServerSessions sessions, Executor changes, SiteNames sites) {
        this.sites = sites;
        this.rules = rules;
        this.reconciler = reconciler;
        this.sessions = sessions;
        this.changes = changes;
    }

    Executor changes() {
        return changes;
    }

    SessionNotices notices() {
        return notices;
    }

    /**
     * Whether a {@code tcpip-forward} asks for a site on the shared http/https ports rather than a port: port 80 or
     * 443 with a name ({@code -R demo:80:…}), or with none ({@code -R 80:…}) from a user who may serve names under the
     * domain, while name routing runs.
     */
    boolean isSiteRequest(SshUser user, String requestedHost, int port) {
        if ((port != 80 && port != 443)
                || !sites.running()
                || user.permitHosts().isEmpty()) {
            return false;
        }
        return unnamed(requestedHost) ? sites.domain().isPresent() : TunnelPolicy.bindAddress(requestedHost) == null;
    }

    private static boolean unnamed(String host) {
        return host == null || host.isEmpty() || host.equals("*") || host.equalsIgnoreCase("localhost");
    }

    /** {@code ssh -R demo:80:localhost:3000}: the site demo.<domain> (or the full name given), served back through the session. */
    SshdSocketAddress openSite(ServerSession session, SshUser user, String requestedHost, int port) throws IOException {
        HostName name = siteName(user, requestedHost);
        if (!user.mayServe(name)) {
            throw new IOException("permit-hosts: " + user.name() + " may not serve " + name);
        }
        String id = sessionId(session);
        String client = clientOf(session);
        String forwardName = "ssh-" + safe(user.name()) + "-" + Integer.toHexString((id + "|" + name).hashCode());
        Actor actor = new Actor("ssh " + user.name(), client);
        String bind = requestedHost == null ? "" : requestedHost;
        HttpForward f = new HttpForward(
                forwardName,
                true,
                "ssh -R " + name + " by " + user.name() + " from " + client,
                new Origin(Origin.Kind.SSH, user.name() + "@" + client),
                new HostPattern(name, false),
                new TargetSpec(bind.isEmpty() ? "localhost" : bind, PortRange.of(port)),
                SiteTls.TERMINATE,
                Limits.NONE,
                ProxyProtocol.NONE,
                new SiteSession.Ssh(id));
        ChangeResult result = rules.create(f, actor);
        if (result instanceof ChangeResult.Rejected r) {
            throw new IOException(
                    r.problems().isEmpty() ? "refused" : r.problems().get(0).message());
        }
        reconciler.awaitApplied();
        ForwardStatus status = reconciler.status(forwardName);
        if (status == null || status.state() != ForwardStatus.State.LISTENING) {
            rules.delete(forwardName, Origin.Kind.SSH, actor);
            throw new IOException(status == null ? "not opened" : status.error());
        }
        forwardsOf.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(forwardName);
        siteRequests.put(forwardName, new SshdSocketAddress(bind, port));
        notices.add(session, "portgate: " + sites.url(name) + " -> your " + bind + ":" + port);
        return new SshdSocketAddress(bind, port);
    }

    /** The site's full name: the one asked for, a short one under the domain, or a random one there. */
    private HostName siteName(SshUser user, String requestedHost) throws IOException {
        try {
            return sites.nameFor(unnamed(requestedHost) ? null : requestedHost, user.name());
        } catch (BadHost e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    SshdSocketAddress open(ServerSession session, String requestedHost, ListenSpec listen) throws IOException {
        String id = sessionId(session);
        String user = session.getUsername();
        String client = clientOf(session);
        String name = "ssh-" + user.replaceAll("[^A-Za-z0-9._-]", "_") + "-"
                + listen.ports().first();
        Actor actor = new Actor("ssh " + user, client);
        SshSessionForward f = new SshSessionForward(
                name,
                true,
                "ssh -R by " + user + " from " + client,
                new Origin(Origin.Kind.SSH, user + "@" + client),
                listen,
                id,
                requestedHost == null ? "" : requestedHost);
        ChangeResult result = rules.create(f, actor);
        if (result instanceof ChangeResult.Rejected r) {
            throw new IOException(
                    r.problems().isEmpty() ? "refused" : r.problems().get(0).toString());
        }
        reconciler.awaitApplied();
        ForwardStatus status = reconciler.status(name);
        if (status == null || status.state() != ForwardStatus.State.LISTENING) {
            rules.delete(name, Origin.Kind.SSH, actor);
            throw new IOException(status == null ? "not opened" : status.error());
        }
        forwardsOf.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(name);
        return new SshdSocketAddress(
                requestedHost == null ? "" : requestedHost, listen.ports().first());
    }

    private static String safe(String user) {
        String s = user.replaceAll("[^A-Za-z0-9-]", "-");
        return s.length() > 20 ? s.substring(0, 20) : s;
    }

    private static String clientOf(ServerSession session) {
        return session.getRemoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : "?";
    }

    private String sessionId(ServerSession session) {
        return ids.computeIfAbsent(session, s -> {
            String newId = sessions.add(s);
            s.addCloseFutureListener(f -> {
                try {
                    changes.execute(() -> closeAll(s));
                } catch (RejectedExecutionException stopping) {
                    // The gateway is stopping: its SSH session forwards go with it.
                }
            });
            return newId;
        });
    }

    /** Removes the session's forward on {@code port} (its site, for a site request); false if it has none there. */
    boolean close(ServerSession session, String host, int port) {
        String id = ids.get(session);
        Set<String> names = id == null ? null : forwardsOf.get(id);
        if (names == null) {
            return false;
        }
        boolean found = false;
        for (String name : Set.copyOf(names)) {
            SshdSocketAddress site = siteRequests.get(name);
            boolean match = site == null
                    ? name.endsWith("-" + port)
                    : site.getPort() == port && site.getHostName().equals(host == null ? "" : host);
            if (match) {
                siteRequests.remove(name);
                rules.delete(name, Origin.Kind.SSH, new Actor("ssh " + session.getUsername(), ""));
                names.remove(name);
                found = true;
            }
        }
        return found;
    }

    private void closeAll(ServerSession session) {
        String id = ids.remove(session);
        Set<String> names = id == null ? null : forwardsOf.remove(id);
        if (names != null) {
            names.forEach(siteRequests::remove);
            for (String name : names) {
                rules.delete(name, Origin.Kind.SSH, new Actor("ssh " + session.getUsername() + " (session ended)", ""));
            }
        }
    }

    ServerSessions sessions() {
        return sessions;
    }
}
