package dev.portgate.rules;

import dev.portgate.forward.Forward;

/** One change to the desired state, as logged, audited and shown. */
public sealed interface Change {

    String name();

    record Added(Forward after) implements Change {
        @Override
        public String name() {
            return after.name();
        }
    }

    record Updated(Forward before, Forward after) implements Change {
        @Override
        public String name() {
            return after.name();
        }
    }

    record Removed(Forward before) implements Change {
        @Override
        public String name() {
            return before.name();
        }
    }
}
