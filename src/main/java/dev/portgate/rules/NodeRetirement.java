package dev.portgate.rules;

import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.store.AuditLog;
import dev.portgate.store.NodeRegistry;
import dev.portgate.store.Nodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Forgets a node that is gone for good. What only that node could own goes with it: its config file's forwards
 * (handed over to this node's file where it declares them alike, so they keep running; removed otherwise) and the
 * leases and triggered ports of its LAN. Then its row goes, and with it its node-link certificate: it is trusted
 * no more. Forwards someone made for that node alone in the console or API stay, and are named, for a person to
 * decide. A node that is up is refused: it would write itself back.
 */
public final class NodeRetirement implements Nodes.Retirement {

    private final NodeRegistry registry;
    private final RuleService rules;
    private final FileClaims claims;
    private final AuditLog audit;

    public NodeRetirement(NodeRegistry registry, RuleService rules, FileClaims claims, AuditLog audit) {
        this.registry = registry;
        this.rules = rules;
        this.claims = claims;
        this.audit = audit;
    }

    @Override
    public Nodes.Forgetting forget(String name, Actor actor) throws Nodes.CannotForget {
        Optional<NodeRegistry.Node> found =
                registry.nodes().stream().filter(n -> n.name().equals(name)).findFirst();
        if (found.isEmpty()) {
            throw new Nodes.CannotForget("there is no node named \"" + name + "\"", true);
        }
        NodeRegistry.Node node = found.get();
        if (node.self()) {
            throw new Nodes.CannotForget(
                    "\"" + name + "\" is this node — stop it, then forget it from another node", false);
        }
        if (node.up()) {
            throw new Nodes.CannotForget(
                    "node \"" + name + "\" is up (last heartbeat " + node.heartbeat()
                            + ") — stop it first: a running node writes itself back",
                    false);
        }
        List<Change> planned = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> handedOver = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (Forward f : rules.forwards()) {
            Origin.Kind kind = f.origin().kind();
            boolean itsFile = kind == Origin.Kind.CONFIG && f.origin().owner().startsWith(name + ":");
            boolean onlyThere =
                    f.limits().nodes().size() == 1 && f.limits().nodes().contains(name);
            if (itsFile) {
                Optional<Forward> mine = claims.alike(f);
                if (mine.isPresent()) {
                    planned.add(new Change.Updated(f, mine.get()));
                    handedOver.add(f.name());
                } else {
                    planned.add(new Change.Removed(f));
                    removed.add(f.name());
                }
            } else if (onlyThere && kind.persistent() && kind != Origin.Kind.API) {
                planned.add(new Change.Removed(f)); // a lease or a triggered port of that node's LAN
                removed.add(f.name());
            } else if (onlyThere) {
                kept.add(f.name());
            }
        }
        ChangeResult result = rules.applyPlanned(planned, actor);
        if (result instanceof ChangeResult.Rejected r) {
            throw new Nodes.CannotForget(
                    "node \"" + name + "\": its forwards could not be removed: "
                            + r.problems().get(0).message(),
                    false);
        }
        if (!registry.forget(name)) {
            throw new Nodes.CannotForget("node \"" + name + "\" came back up meanwhile — stop it first", false);
        }
        audit.record(
                actor,
                "node.forget",
                name,
                "removed " + removed + ", handed over to this node's file " + handedOver + ", kept " + kept);
        return new Nodes.Forgetting(name, removed, handedOver, kept);
    }
}
