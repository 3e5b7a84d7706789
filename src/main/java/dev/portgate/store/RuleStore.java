package dev.portgate.store;

import dev.portgate.forward.Forward;
import dev.portgate.rules.Actor;
import dev.portgate.rules.Change;
import dev.portgate.rules.PeerChange;
import java.util.List;
import java.util.function.Consumer;

/**
 * The desired state that outlives the process: forwards of persistent origins, with the audit
 * entry of each change written in the same transaction, so a crash never leaves one without the other.
 * SQLite is the embedded default; on PostgreSQL several nodes share it and follow each other's changes.
 */
public interface RuleStore extends AutoCloseable {

    /** The stored forwards, in the order they were made. */
    List<Forward> load();

    /**
     * Persists the changes (those of persistent origins) and audits all of them, atomically.
     *
     * @throws Conflict when another node changed one of the forwards since this node read it
     */
    void commit(List<Change> changes, Actor actor);

    /** Hands other nodes' changes to {@code sink}, in order, from the state {@link #load()} read; one node has none. */
    default void follow(Consumer<List<PeerChange>> sink) {}

    /** Told, under the rules' lock, that peer changes are now the rules here: later edits are based on them. */
    default void accepted(List<PeerChange> changes) {}

    @Override
    default void close() {}

    /** Another node's change came first; the message names it. Nothing was changed. */
    final class Conflict extends RuntimeException {

        private final String forward;

        public Conflict(String forward, String message) {
            super(message);
            this.forward = forward;
        }

        public String forward() {
            return forward;
        }
    }
}
