package dev.portgate.rules;

import dev.portgate.forward.Forward;
import dev.portgate.store.RuleStore;
import java.util.ArrayList;
import java.util.List;

/** A store for unit tests of RuleService: remembers committed changes, persists nothing. */
final class MemoryRuleStore implements RuleStore {

    final List<Change> committed = new ArrayList<>();

    @Override
    public List<Forward> load() {
        return List.of();
    }

    @Override
    public void commit(List<Change> changes, Actor actor) {
        committed.addAll(changes);
    }
}
