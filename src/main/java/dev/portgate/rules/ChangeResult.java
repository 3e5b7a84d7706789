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

    record Rejected(List<Problem> problems) implements ChangeResult {
        public Rejected {
            problems = List.copyOf(problems);
        }
    }
}
