package dev.portgate.rules;

import dev.portgate.forward.Problem;
import java.util.List;

/** What a write to the rules did: applied (with its changes, maybe none) or rejected whole. */
public sealed interface ChangeResult {

    record Applied(List<Change> changes) implements ChangeResult {
        public Applied {
            changes = List.copyOf(changes);
        }
    }

    /** Nothing changed; {@code why} tells an API which status fits. */
    record Rejected(Why why, List<Problem> problems) implements ChangeResult {
        public Rejected {
            problems = List.copyOf(problems);
        }

        public Rejected(List<Problem> problems) {
            this(Why.INVALID, problems);
        }
    }

    enum Why {
        /** The forward does not validate, or clashes with another. */
        INVALID,
        /** No forward of that name. */
        NOT_FOUND,
        /** The forward belongs to another writer (the config file) and is changed there. */
        NOT_YOURS,
        /** A forward of that name exists already. */
        EXISTS,
        /** Another node changed the forward since this one read it (several nodes on one store). */
        CONFLICT
    }
}
