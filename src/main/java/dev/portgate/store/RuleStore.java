package dev.portgate.store;

import dev.portgate.forward.Forward;
import dev.portgate.rules.Actor;
import dev.portgate.rules.Change;
import java.util.List;

/**
 * The desired state that outlives the process: forwards of persistent origins, with the audit
 * entry of each change written in the same transaction, so a crash never leaves one without the other.
 * SQLite is the embedded default; a PostgreSQL implementation is the other planned one.
 */
public interface RuleStore {

    /** The stored forwards, in the order they were made. */
    List<Forward> load();

    /** Persists the changes (those of persistent origins) and audits all of them, atomically. */
    void commit(List<Change> changes, Actor actor);
}
