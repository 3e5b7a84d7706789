package dev.portgate.store;

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
