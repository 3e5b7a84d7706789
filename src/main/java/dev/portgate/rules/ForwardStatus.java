package dev.portgate.rules;

import dev.portgate.forward.Forward;
import dev.portgate.kernel.Placement;
import dev.portgate.net.ActiveForward;

/**
 * How a forward runs right now: its rule, its state, which data plane carries it and why, and (while it
 * runs) its counters and connections.
 */
public record ForwardStatus(Forward forward, State state, String error, ActiveForward active, Placement placement) {

    public enum State {
        LISTENING,
        FAILED,
        DISABLED,
        /** On, but its nodes: name other nodes of the cluster. */
        ELSEWHERE
    }

    public String name() {
        return forward.name();
    }
}
