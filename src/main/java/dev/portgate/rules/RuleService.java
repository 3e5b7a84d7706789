package dev.portgate.rules;

import dev.portgate.forward.Forward;
import dev.portgate.forward.ListenIndex;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way to change rules. Every writer — config file, console, API, leases, triggers, SSH
 * sessions — asks here; a change is validated against all rules, applied whole or not at all,
 * logged, and published to subscribers (the Reconciler) as the new desired state.
 */
public final class RuleService {

    private static final Logger log = LoggerFactory.getLogger(RuleService.class);

    private final Map<String, Forward> rules = new LinkedHashMap<>();
    private final List<Consumer<List<Forward>>> subscribers = new CopyOnWriteArrayList<>();

    public void subscribe(Consumer<List<Forward>> subscriber) {
        subscribers.add(subscriber);
        subscriber.accept(forwards());
    }

    public synchronized List<Forward> forwards() {
        return List.copyOf(rules.values());
    }

    /**
     * Replaces every forward of one origin kind with {@code next} — how a config file (re)load
     * lands. Forwards of other origins are untouched and must not clash with the new set.
     */
    public ChangeResult replaceAll(Origin.Kind kind, List<Forward> next) {
        List<Forward> snapshot;
        ChangeResult result;
        synchronized (this) {
            Map<String, Forward> proposed = new LinkedHashMap<>();
            List<Problem> problems = new ArrayList<>();
            for (Forward f : rules.values()) {
                if (f.origin().kind() != kind) {
                    proposed.put(f.name(), f);
                }
            }
            for (Forward f : next) {
                Forward other = proposed.get(f.name());
                if (other != null && other.origin().kind() != kind) {
                    problems.add(Problem.of(f.name(), "name", "name \"" + f.name() + "\" is already used by a forward from "
                            + other.origin() + " — rename one of them"));
                } else {
                    proposed.put(f.name(), f);
                }
            }
            problems.addAll(ListenIndex.conflicts(proposed.values()));
            if (!problems.isEmpty()) {
                return new ChangeResult.Rejected(problems);
            }
            List<Change> changes = diff(rules, proposed);
            rules.clear();
            rules.putAll(proposed);
            snapshot = List.copyOf(rules.values());
            result = new ChangeResult.Applied(changes);
        }
        publish(result, snapshot, kind.label());
        return result;
    }

    private static List<Change> diff(Map<String, Forward> before, Map<String, Forward> after) {
        List<Change> changes = new ArrayList<>();
        for (Forward b : before.values()) {
            Forward a = after.get(b.name());
            if (a == null) {
                changes.add(new Change.Removed(b));
            } else if (!a.equals(b)) {
                changes.add(new Change.Updated(b, a));
            }
        }
        for (Forward a : after.values()) {
            if (!before.containsKey(a.name())) {
                changes.add(new Change.Added(a));
            }
        }
        return changes;
    }

    private void publish(ChangeResult result, List<Forward> snapshot, String actor) {
        if (!(result instanceof ChangeResult.Applied applied) || applied.changes().isEmpty()) {
            return;
        }
        for (Change c : applied.changes()) {
            log.info("{} (by {})", describe(c), actor);
        }
        for (Consumer<List<Forward>> s : subscribers) {
            s.accept(snapshot);
        }
    }

    static String describe(Change c) {
        if (c instanceof Change.Added a) {
            return "forward \"" + a.name() + "\" added: " + a.after() + (a.after().enabled() ? "" : " (disabled)");
        }
        if (c instanceof Change.Updated u) {
            String state = u.before().enabled() == u.after().enabled() ? "" : u.after().enabled() ? " (enabled)" : " (disabled)";
            return "forward \"" + u.name() + "\" changed: " + u.before() + "  =>  " + u.after() + state;
        }
        return "forward \"" + c.name() + "\" removed: " + ((Change.Removed) c).before();
    }
}
