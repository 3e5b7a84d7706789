package dev.portgate.store;

import dev.portgate.rules.Actor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The nodes of this gateway's cluster as the console and the timed jobs see them: on a shared store, the
 * {@link NodeRegistry}'s view; alone, just this node, always up and always the one that runs the timed jobs.
 */
public final class Nodes {

    private final NodeRegistry registry;
    private final NodeSettings self;
    private final String version;
    private final Instant started = Instant.now();
    /** This node's node link to each node, when it has node links. */
    private volatile Function<String, String> links = node -> "";

    /** {@code registry} null: a gateway on its own. */
    public Nodes(NodeRegistry registry, NodeSettings self, String version) {
        this.registry = registry;
        this.self = self;
        this.version = version;
    }

    /** Forgets a node that is gone for good; see {@code NodeRetirement}. */
    public interface Retirement {
        /** The names of the forwards removed, handed over and kept; throws with why not. */
        Forgetting forget(String node, Actor actor) throws CannotForget;
    }

    /** What forgetting a node did to the forwards. */
    public record Forgetting(String node, List<String> removed, List<String> handedOver, List<String> kept) {}

    /** Why a node cannot be forgotten; {@code unknown} when there is no node of that name. */
    public static final class CannotForget extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean unknown;

        public CannotForget(String message, boolean unknown) {
            super(message);
            this.unknown = unknown;
        }

        public boolean unknown() {
            return unknown;
        }
    }

    private volatile Retirement retirement = (node, actor) -> {
        throw new CannotForget("this gateway is not one of several nodes on a shared store", false);
    };

    /** How a node is forgotten (set on a shared store). */
    public void retirement(Retirement r) {
        this.retirement = r;
    }

    public Forgetting forget(String node, Actor actor) throws CannotForget {
        return retirement.forget(node, actor);
    }

    /** Where the state of this node's node links comes from (set once they run). */
    public void links(Function<String, String> stateOf) {
        this.links = stateOf;
    }

    /** This node's link to {@code node}: "connected (quic)", "retrying: …", or "" when there is none. */
    public String link(String node) {
        return links.apply(node);
    }

    public boolean shared() {
        return registry != null;
    }

    public String self() {
        return self.name();
    }

    /** Whether the cluster's timed jobs (expiry, lease clean-up) are this node's to run now. */
    public boolean leader() {
        return registry == null || registry.leader();
    }

    /** What is wrong with the shared store now (null when nothing is, or alone). */
    public String problem() {
        return registry == null ? null : registry.problem();
    }

    /** Each forward's state on every node (empty alone: the forward's own state says it all). */
    public Map<String, List<NodeRegistry.Running>> forwardStates() {
        return registry == null ? Map.of() : registry.forwardStates();
    }

    /** Every node, this one first. */
    public List<NodeRegistry.Node> list() {
        if (registry == null) {
            return List.of(new NodeRegistry.Node(
                    self.name(), self.address(), version, started, Instant.now(), true, true, ""));
        }
        return registry.nodes();
    }
}
