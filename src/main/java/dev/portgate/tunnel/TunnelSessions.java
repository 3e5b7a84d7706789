package dev.portgate.tunnel;

import dev.portgate.forward.BadHost;
import dev.portgate.forward.Cidr;
import dev.portgate.forward.Forward;
import dev.portgate.forward.HostName;
import dev.portgate.forward.HostPattern;
import dev.portgate.forward.HttpForward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Origin;
import dev.portgate.forward.PortRange;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.RemoteForward;
import dev.portgate.forward.SiteSession;
import dev.portgate.forward.SiteTls;
import dev.portgate.forward.TargetSpec;
import dev.portgate.forward.TunnelSessionForward;
import dev.portgate.net.SiteNames;
import dev.portgate.rules.Actor;
import dev.portgate.rules.ChangeResult;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import dev.portgate.store.AuditLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a tunnel client's listen requests into forwards through RuleService — conflict-checked, listed, audited
 * like any other — opened by the Reconciler, and removed when the client cancels them or goes. Changes run one at
 * a time on {@code changes}, never on a QUIC loop.
 */
public final class TunnelSessions {

    private static final Logger log = LoggerFactory.getLogger(TunnelSessions.class);

    private final RuleService rules;
    private final Reconciler reconciler;
    private final AuditLog audit;
    private final Executor changes;
    private final TunnelLinks links;
    private final SiteNames sites;
    /** What these sessions are: a tunnel server's clients, or the other nodes of a cluster over node links. */
    private final Kind kind;
    /** Per session: listen request id → forward name. */
    private final Map<String, Map<Integer, String>> forwardsOf = new ConcurrentHashMap<>();

    /** Whose sessions: their forwards are named and described for them. */
    public enum Kind {
        /** Tunnel clients: {@code tunnel-alice-tcp-8080}. */
        CLIENTS("tunnel-", "tunnel client ", "tunnel server"),
        /** Other nodes, carrying the ports of their own clients here: {@code link-edge-1-tcp-8080}. */
        NODES("link-", "the node link of ", "node-link server");

        final String prefix;
        final String who;
        final String server;

        Kind(String prefix, String who, String server) {
            this.prefix = prefix;
            this.who = who;
            this.server = server;
        }
    }

    public TunnelSessions(
            RuleService rules,
            Reconciler reconciler,
            AuditLog audit,
            Executor changes,
            TunnelLinks links,
            SiteNames sites,
            Kind kind) {
        this.kind = kind;
        this.links = links;
        this.sites = sites;
        this.rules = rules;
        this.reconciler = reconciler;
        this.audit = audit;
        this.changes = changes;
    }

    String add(ClientLink link) {
        String id = links.add(link);
        forwardsOf.put(id, new ConcurrentHashMap<>());
        return id;
    }

    Kind kind() {
        return kind;
    }

    List<ClientLink> links() {
        return links.all();
    }

    AuditLog audit() {
        return audit;
    }

    void listen(ClientLink link, ControlMessage.Listen request) {
        run(() -> link.send(open(link, request)));
    }

    void unlisten(ClientLink link, int id) {
        run(() -> {
            Map<Integer, String> names = forwardsOf.get(link.session());
            String name = names == null ? null : names.remove(id);
            if (name != null) {
                rules.delete(name, Origin.Kind.TUNNEL, actor(link, ""));
            }
        });
    }

    void ended(ClientLink link) {
        run(() -> end(link));
    }

    /** On the session thread: the link's public ports go, once (a link replaced by its client's new one ends twice). */
    void end(ClientLink link) {
        String id = link.session();
        Map<Integer, String> names = id == null ? null : forwardsOf.remove(id);
        if (names == null) {
            return;
        }
        link.closeFlows();
        links.remove(id);
        for (String name : names.values()) {
            rules.delete(name, Origin.Kind.TUNNEL, actor(link, " (disconnected)"));
        }
        audit.record(actor(link, ""), "tunnel.disconnected", link.clientName(), "from " + link.source());
        log.info("tunnel: client \"{}\" from {} disconnected", link.clientName(), link.source());
    }

    void run(Runnable change) {
        try {
            changes.execute(() -> {
                try {
                    change.run();
                } catch (RuntimeException e) {
                    log.warn("tunnel: a session change failed", e);
                }
            });
        } catch (RejectedExecutionException stopping) {
            // The gateway is stopping: the session forwards go with it.
        }
    }

    private ControlMessage open(ClientLink link, ControlMessage.Listen request) {
        TunnelServerConfig.Client client = link.client();
        Set<Protocol> protocols;
        ListenSpec listen;
        List<Cidr> allow = new ArrayList<>();
        List<Cidr> deny = new ArrayList<>();
        try {
            protocols = Protocol.parseSet(request.protocol());
            listen = ListenSpec.parse(request.listen());
            request.allow().forEach(a -> allow.add(Cidr.parse(a)));
            request.deny().forEach(d -> deny.add(Cidr.parse(d)));
        } catch (IllegalArgumentException e) {
            return refused(link, request.id(), "listen " + request.protocol() + " " + request.listen(), e.getMessage());
        }
        if (listen.ports().first() == 0) {
            return refused(
                    link,
                    request.id(),
                    "listen " + request.protocol() + " " + request.listen(),
                    "port 0: name the public port to open");
        }
        String what = Protocol.label(protocols) + " " + listen;
        if (client.permits(listen, protocols).isEmpty()) {
            return refused(
                    link,
                    request.id(),
                    "listen " + what,
                    "client \"" + client.name() + "\" may not listen on " + what + " (permit-listen: "
                            + client.permitListen() + ")");
        }
        Map<Integer, String> names = forwardsOf.get(link.session());
        if (names == null) {
            return refused(link, request.id(), "listen " + what, "the session has ended");
        }
        String name = kind.prefix + client.name() + "-" + Protocol.label(protocols) + "-"
                + listen.ports().first();
        TunnelSessionForward f = new TunnelSessionForward(
                name,
                true,
                kind.who + client.name() + " from " + link.sourceHost(),
                origin(link),
                listen,
                protocols,
                new Limits(allow, deny, Duration.ZERO, 0),
                link.session(),
                request.id());
        String refusal = place(link, names, request.id(), f);
        if (refusal != null) {
            return refused(link, request.id(), "listen " + what, refusal);
        }
        log.info("tunnel: client \"{}\" listens on {} (forward \"{}\")", client.name(), what, name);
        return new ControlMessage.Listening(request.id());
    }

    void serve(ClientLink link, ControlMessage.Serve request) {
        run(() -> link.send(site(link, request)));
    }

    /** A site by name on the shared http/https ports, its requests back through this client's tunnel. */
    private ControlMessage site(ClientLink link, ControlMessage.Serve request) {
        TunnelServerConfig.Client client = link.client();
        String what = "serve site " + request.host();
        if (!sites.running()) {
            return refused(link, request.id(), what, "this server has no http-routing: it serves no sites by name");
        }
        HostName host;
        try {
            host = sites.nameFor(request.host(), client.name());
        } catch (BadHost e) {
            return refused(link, request.id(), what, e.getMessage());
        }
        // Another node asks for the sites its own clients serve: it checked their permit-hosts.
        if (kind == Kind.CLIENTS && !client.mayServe(host)) {
            return refused(
                    link,
                    request.id(),
                    what,
                    "client \"" + client.name() + "\" may not serve " + host + " (permit-hosts: " + client.permitHosts()
                            + ")");
        }
        Map<Integer, String> names = forwardsOf.get(link.session());
        if (names == null) {
            return refused(link, request.id(), what, "the session has ended");
        }
        String name = kind.prefix + client.name() + "-site-"
                + Integer.toHexString(host.toString().hashCode());
        HttpForward f = new HttpForward(
                name,
                true,
                "site of " + kind.who + client.name() + " from " + link.sourceHost(),
                origin(link),
                new HostPattern(host, false),
                new TargetSpec(
                        "localhost",
                        PortRange.of(RemoteForward.SITE_PORT.ports().first())),
                SiteTls.TERMINATE,
                Limits.NONE,
                ProxyProtocol.NONE,
                new SiteSession.Tunnel(link.session(), request.id()));
        String refusal = place(link, names, request.id(), f);
        if (refusal != null) {
            return refused(link, request.id(), what, refusal);
        }
        log.info("tunnel: client \"{}\" serves {} (forward \"{}\")", client.name(), sites.url(host), name);
        return new ControlMessage.Listening(request.id(), sites.url(host));
    }

    /**
     * Makes {@code f} a forward of the link's session under request {@code id} (replacing what that id held): null
     * once it runs, or why it does not.
     */
    private String place(ClientLink link, Map<Integer, String> names, int id, Forward f) {
        String earlier = names.remove(id);
        if (earlier != null) {
            rules.delete(earlier, Origin.Kind.TUNNEL, actor(link, ""));
        }
        ChangeResult result = rules.create(f, actor(link, ""));
        if (result instanceof ChangeResult.Rejected r) {
            return r.problems().isEmpty() ? "refused" : r.problems().get(0).toString();
        }
        reconciler.awaitApplied();
        ForwardStatus status = reconciler.status(f.name());
        if (status == null || status.state() != ForwardStatus.State.LISTENING) {
            rules.delete(f.name(), Origin.Kind.TUNNEL, actor(link, ""));
            return status == null ? "not opened" : status.error();
        }
        if (links.get(link.session()) == null) {
            // The client went while this was opening.
            rules.delete(f.name(), Origin.Kind.TUNNEL, actor(link, " (disconnected)"));
            return "the session has ended";
        }
        names.put(id, f.name());
        return null;
    }

    private static Origin origin(ClientLink link) {
        return new Origin(Origin.Kind.TUNNEL, link.clientName() + "@" + link.sourceHost());
    }

    private ControlMessage refused(ClientLink link, int id, String what, String reason) {
        log.info("tunnel: client \"{}\": {} refused: {}", link.clientName(), what, reason);
        audit.record(actor(link, ""), "tunnel.listen-refused", link.clientName(), what + ": " + reason);
        return new ControlMessage.ListenRefused(id, reason);
    }

    private static Actor actor(ClientLink link, String note) {
        return new Actor("tunnel " + link.clientName() + note, link.sourceHost());
    }
}
