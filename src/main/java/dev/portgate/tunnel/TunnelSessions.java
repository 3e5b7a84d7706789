package dev.portgate.tunnel;

import dev.portgate.forward.Cidr;
import dev.portgate.forward.Limits;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.TunnelSessionForward;
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
    /** Per session: listen request id → forward name. */
    private final Map<String, Map<Integer, String>> forwardsOf = new ConcurrentHashMap<>();

    public TunnelSessions(
            RuleService rules, Reconciler reconciler, AuditLog audit, Executor changes, TunnelLinks links) {
        this.links = links;
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
            return refused(link, request, e.getMessage());
        }
        if (listen.ports().first() == 0) {
            return refused(link, request, "port 0: name the public port to open");
        }
        String what = Protocol.label(protocols) + " " + listen;
        if (client.permits(listen, protocols).isEmpty()) {
            return refused(
                    link,
                    request,
                    "client \"" + client.name() + "\" may not listen on " + what + " (permit-listen: "
                            + client.permitListen() + ")");
        }
        Map<Integer, String> names = forwardsOf.get(link.session());
        if (names == null) {
            return refused(link, request, "the session has ended");
        }
        String earlier = names.remove(request.id());
        if (earlier != null) {
            rules.delete(earlier, Origin.Kind.TUNNEL, actor(link, ""));
        }
        String name = "tunnel-" + client.name() + "-" + Protocol.label(protocols) + "-"
                + listen.ports().first();
        TunnelSessionForward f = new TunnelSessionForward(
                name,
                true,
                "tunnel client " + client.name() + " from " + link.sourceHost(),
                new Origin(Origin.Kind.TUNNEL, client.name() + "@" + link.sourceHost()),
                listen,
                protocols,
                new Limits(allow, deny, Duration.ZERO, 0),
                link.session(),
                request.id());
        ChangeResult result = rules.create(f, actor(link, ""));
        if (result instanceof ChangeResult.Rejected r) {
            return refused(
                    link,
                    request,
                    r.problems().isEmpty() ? "refused" : r.problems().get(0).toString());
        }
        reconciler.awaitApplied();
        ForwardStatus status = reconciler.status(name);
        if (status == null || status.state() != ForwardStatus.State.LISTENING) {
            rules.delete(name, Origin.Kind.TUNNEL, actor(link, ""));
            return refused(link, request, status == null ? "not opened" : status.error());
        }
        if (links.get(link.session()) == null) {
            // The client went while this was opening.
            rules.delete(name, Origin.Kind.TUNNEL, actor(link, " (disconnected)"));
            return refused(link, request, "the session has ended");
        }
        names.put(request.id(), name);
        log.info("tunnel: client \"{}\" listens on {} (forward \"{}\")", client.name(), what, name);
        return new ControlMessage.Listening(request.id());
    }

    private ControlMessage refused(ClientLink link, ControlMessage.Listen request, String reason) {
        log.info(
                "tunnel: client \"{}\": listen {} {} refused: {}",
                link.clientName(),
                request.protocol(),
                request.listen(),
                reason);
        audit.record(
                actor(link, ""),
                "tunnel.listen-refused",
                link.clientName(),
                request.protocol() + " " + request.listen() + ": " + reason);
        return new ControlMessage.ListenRefused(request.id(), reason);
    }

    private static Actor actor(ClientLink link, String note) {
        return new Actor("tunnel " + link.clientName() + note, link.sourceHost());
    }
}
