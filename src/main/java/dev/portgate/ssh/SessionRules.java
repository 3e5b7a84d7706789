package dev.portgate.ssh;

import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Origin;
import dev.portgate.forward.SshSessionForward;
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

    /**
     * {@code changes} runs every change a session makes — its {@code ssh -R} requests and the removal of its
     * forwards when it ends — one at a time in order, off the SSH loops; a removal therefore follows any open
     * still under way, and a forward opened for a session that ended meanwhile is removed too.
     */
    public SessionRules(RuleService rules, Reconciler reconciler, ServerSessions sessions, Executor changes) {
        this.rules = rules;
        this.reconciler = reconciler;
        this.sessions = sessions;
        this.changes = changes;
    }

    Executor changes() {
        return changes;
    }

    SshdSocketAddress open(ServerSession session, String requestedHost, ListenSpec listen) throws IOException {
        String id = ids.computeIfAbsent(session, s -> {
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
        String user = session.getUsername();
        String client = session.getRemoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : "?";
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

    /** Removes the session's forward on {@code port}; false if it has none there. */
    boolean close(ServerSession session, int port) {
        String id = ids.get(session);
        Set<String> names = id == null ? null : forwardsOf.get(id);
        if (names == null) {
            return false;
        }
        boolean found = false;
        for (String name : Set.copyOf(names)) {
            if (name.endsWith("-" + port)) {
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
            for (String name : names) {
                rules.delete(name, Origin.Kind.SSH, new Actor("ssh " + session.getUsername() + " (session ended)", ""));
            }
        }
    }

    ServerSessions sessions() {
        return sessions;
    }
}
