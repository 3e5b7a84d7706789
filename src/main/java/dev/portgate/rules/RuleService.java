package dev.portgate.rules;

import dev.portgate.config.ForwardJson;
import dev.portgate.forward.Forward;
import dev.portgate.forward.ListenIndex;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Problem;
import dev.portgate.store.RuleStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way to change rules. Every writer — config file, console, API, leases, triggers, SSH
 * sessions — asks here; a change is validated against all rules, stored and audited in one
 * transaction, applied whole or not at all, logged, and published to subscribers (the Reconciler)
 * as the changes themselves. A change of one forward costs that forward's ports, whatever the number of
 * rules: leases make changes frequent. Callers are never Netty event loops: the store is written here.
 */
public final class RuleService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RuleService.class);

    private final RuleStore store;
    private final Map<String, Forward> rules = new LinkedHashMap<>();
    /** Who listens where, kept up to date change by change, so checking one change costs its own ports only. */
    private ListenIndex index;

    private final List<Consumer<List<Change>>> subscribers = new CopyOnWriteArrayList<>();
    private long version;

    public RuleService(RuleStore store) {
        this.store = store;
        for (Forward f : store.load()) {
            rules.put(f.name(), f);
        }
        index = ListenIndex.of(rules.values());
    }

    /**
     * Hands every later change to {@code subscriber}, in order, as it is applied; the rules in force now
     * come first, as one batch of additions.
     */
    public synchronized void subscribe(Consumer<List<Change>> subscriber) {
        subscribers.add(subscriber);
        List<Change> now = new ArrayList<>(rules.size());
        rules.values().forEach(f -> now.add(new Change.Added(f)));
        subscriber.accept(List.copyOf(now));
    }

    /** Goes up with every applied change: readers may cache what they derive from {@link #forwards()}. */
    public synchronized long version() {
        return version;
    }

    public synchronized List<Forward> forwards() {
        return List.copyOf(rules.values());
    }

    public synchronized Optional<Forward> get(String name) {
        return Optional.ofNullable(rules.get(name));
    }

    /**
     * Replaces every forward of one origin kind with {@code next} — how a config file (re)load
     * lands. Forwards of other origins are untouched and must not clash with the new set.
     */
    public ChangeResult replaceAll(Origin.Kind kind, List<Forward> next, Actor actor) {
        return replaceAll(kind, null, next, actor);
    }

    /**
     * Replaces the forwards of one origin kind and, unless {@code owner} is null, of that owner only, with {@code
     * next}. On a shared store each node's config file owns its own forwards ({@code owner} names node and file);
     * a forward another node's file declares the same way is left as it is (declared by both), and one declared
     * differently is refused by name.
     */
    public synchronized ChangeResult replaceAll(Origin.Kind kind, String owner, List<Forward> next, Actor actor) {
        Map<String, Forward> proposed = new LinkedHashMap<>();
        List<Problem> problems = new ArrayList<>();
        for (Forward f : rules.values()) {
            if (!mine(f, kind, owner)) {
                proposed.put(f.name(), f);
            }
        }
        for (Forward f : next) {
            Forward other = proposed.get(f.name());
            if (other != null && other.origin().kind() == kind && sameDeclaration(other, f)) {
                continue; // declared alike by another node's file: one forward for both
            }
            if (other != null) {
                problems.add(Problem.of(
                        f.name(),
                        "name",
                        "name \"" + f.name() + "\" is already used by a forward from " + other.origin()
                                + (other.origin().kind() == kind ? ", declared differently" : "")
                                + " — rename one of them"));
            } else {
                proposed.put(f.name(), f);
            }
        }
        problems.addAll(ListenIndex.conflicts(proposed.values()));
        if (!problems.isEmpty()) {
            return new ChangeResult.Rejected(problems);
        }
        return apply(diff(rules, proposed), actor);
    }

    private static boolean mine(Forward f, Origin.Kind kind, String owner) {
        return f.origin().kind() == kind
                && (owner == null || owner.equals(f.origin().owner()));
    }

    /** The same forward whoever declared it: equal but for the origin. */
    static boolean sameDeclaration(Forward a, Forward b) {
        return ForwardJson.encodeText(a).equals(ForwardJson.encodeText(b));
    }

    /** Adds a new forward. */
    public synchronized ChangeResult create(Forward f, Actor actor) {
        if (rules.containsKey(f.name())) {
            return new ChangeResult.Rejected(
                    ChangeResult.Why.EXISTS,
                    List.of(Problem.of(
                            f.name(),
                            "name",
                            "a forward named \"" + f.name()
                                    + "\" exists already — choose another name, or edit that one")));
        }
        return checked(new Change.Added(f), actor);
    }

    /** Replaces forward {@code name} with {@code next} (same name, same owner). */
    public synchronized ChangeResult update(String name, Forward next, Actor actor) {
        Forward current = rules.get(name);
        ChangeResult.Rejected refused = refuseChange(name, current, next.origin());
        if (refused != null) {
            return refused;
        }
        if (!next.name().equals(name)) {
            return new ChangeResult.Rejected(List.of(Problem.of(
                    name,
                    "name",
                    "name cannot be changed (\"" + name + "\" to \"" + next.name()
                            + "\") — add a new forward and delete this one")));
        }
        if (next.equals(current)) {
            return new ChangeResult.Applied(List.of());
        }
        return checked(new Change.Updated(current, next), actor);
    }

    public synchronized ChangeResult setEnabled(String name, boolean enabled, Origin.Kind writer, Actor actor) {
        Forward current = rules.get(name);
        ChangeResult.Rejected refused = refuseChange(name, current, new Origin(writer, ""));
        if (refused != null) {
            return refused;
        }
        return update(name, current.withEnabled(enabled), actor);
    }

    public synchronized ChangeResult delete(String name, Origin.Kind writer, Actor actor) {
        Forward current = rules.get(name);
        ChangeResult.Rejected refused = refuseChange(name, current, new Origin(writer, ""));
        if (refused != null) {
            return refused;
        }
        return apply(List.of(new Change.Removed(current)), actor);
    }

    /** Deletes {@code expected} only if it is still exactly the current rule of its name (no lost updates). */
    public synchronized ChangeResult deleteIf(Forward expected, Actor actor) {
        if (!expected.equals(rules.get(expected.name()))) {
            return new ChangeResult.Applied(List.of());
        }
        return apply(List.of(new Change.Removed(expected)), actor);
    }

    /**
     * Applies changes planned on the rules read a moment ago, as one: a change whose forward is no longer what it
     * was planned on is left out. Owners do not matter here — forgetting a node removes, or hands over, what only
     * that node's file owned.
     */
    public synchronized ChangeResult applyPlanned(List<Change> planned, Actor actor) {
        List<Change> still = new ArrayList<>();
        for (Change c : planned) {
            Forward was =
                    c instanceof Change.Removed r ? r.before() : c instanceof Change.Updated u ? u.before() : null;
            if (was == null ? !rules.containsKey(c.name()) : was.equals(rules.get(c.name()))) {
                still.add(c);
            }
        }
        List<Problem> problems = new ArrayList<>();
        for (Change c : still) {
            if (!(c instanceof Change.Removed)) {
                Problem clash = index.conflict(c instanceof Change.Added a ? a.after() : ((Change.Updated) c).after());
                if (clash != null) {
                    problems.add(clash);
                }
            }
        }
        return problems.isEmpty() ? apply(still, actor) : new ChangeResult.Rejected(problems);
    }

    private static ChangeResult.Rejected refuseChange(String name, Forward current, Origin writer) {
        if (current == null) {
            return new ChangeResult.Rejected(
                    ChangeResult.Why.NOT_FOUND,
                    List.of(Problem.of(name, "name", "there is no forward named \"" + name + "\"")));
        }
        if (current.origin().kind() == Origin.Kind.CONFIG && writer.kind() != Origin.Kind.CONFIG) {
            return new ChangeResult.Rejected(
                    ChangeResult.Why.NOT_YOURS,
                    List.of(Problem.of(
                            name,
                            "origin",
                            "forward \"" + name + "\" comes from the config file "
                                    + current.origin().owner() + " — change it there")));
        }
        return null;
    }

    /** One added or changed forward, checked against the ports the others hold: its own cost, not all rules'. */
    private ChangeResult checked(Change change, Actor actor) {
        Forward after = change instanceof Change.Added a ? a.after() : ((Change.Updated) change).after();
        Problem clash = index.conflict(after);
        if (clash != null) {
            return new ChangeResult.Rejected(List.of(clash));
        }
        return apply(List.of(change), actor);
    }

    /** Stores and audits validated changes, then applies them here and publishes them. */
    private ChangeResult apply(List<Change> changes, Actor actor) {
        if (changes.isEmpty()) {
            return new ChangeResult.Applied(changes);
        }
        try {
            store.commit(changes, actor);
        } catch (RuleStore.Conflict e) {
            return new ChangeResult.Rejected(
                    ChangeResult.Why.CONFLICT, List.of(Problem.of(e.forward(), "name", e.getMessage())));
        }
        adopt(changes);
        for (Change c : changes) {
            log.info("{} (by {})", describe(c), actor);
        }
        publish(changes);
        return new ChangeResult.Applied(changes);
    }

    /** Starts following the other nodes' changes (several nodes on one store); after the Reconciler subscribed. */
    public void followPeers() {
        store.follow(this::applyPeer);
    }

    /**
     * Makes other nodes' changes the rules here, already stored: each name's net change in the batch, published
     * like a local one. A peer's forward whose name a session forward of this node holds is not taken.
     */
    public synchronized void applyPeer(List<PeerChange> batch) {
        store.accepted(batch);
        Map<String, Forward> before = new LinkedHashMap<>();
        Map<String, Forward> after = new LinkedHashMap<>();
        Map<String, String> byNode = new LinkedHashMap<>();
        for (PeerChange p : batch) {
            Forward current = rules.get(p.name());
            if (current != null && current.origin().kind().sessionScoped()) {
                log.warn(
                        "forward \"{}\" from node {} is not taken: a {} forward of this node has that name",
                        p.name(),
                        p.node(),
                        current.origin());
                continue;
            }
            before.putIfAbsent(p.name(), current);
            after.put(p.name(), p.after());
            byNode.put(p.name(), p.node());
        }
        List<Change> changes = new ArrayList<>();
        for (Map.Entry<String, Forward> e : after.entrySet()) {
            Forward b = before.get(e.getKey());
            Forward a = e.getValue();
            if (b == null && a != null) {
                changes.add(new Change.Added(a));
            } else if (b != null && a == null) {
                changes.add(new Change.Removed(b));
            } else if (b != null && !b.equals(a)) {
                changes.add(new Change.Updated(b, a));
            }
        }
        if (changes.isEmpty()) {
            return;
        }
        adopt(changes);
        for (Change c : changes) {
            log.info("{} (on node {})", describe(c), byNode.get(c.name()));
        }
        publish(changes);
    }

    /** Makes stored changes the rules in memory and in the listen index. */
    private void adopt(List<Change> changes) {
        for (Change c : changes) {
            if (c instanceof Change.Removed r) {
                rules.remove(r.name());
                index.remove(r.before());
            } else if (c instanceof Change.Updated u) {
                rules.put(u.name(), u.after());
                index.remove(u.before());
            } else {
                rules.put(c.name(), ((Change.Added) c).after());
            }
        }
        for (Change c : changes) {
            if (c instanceof Change.Updated u) {
                index.add(u.after());
            } else if (c instanceof Change.Added a) {
                index.add(a.after());
            }
        }
        version++;
    }

    private void publish(List<Change> changes) {
        List<Change> published = List.copyOf(changes);
        for (Consumer<List<Change>> s : subscribers) {
            s.accept(published);
        }
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

    static String describe(Change c) {
        if (c instanceof Change.Added a) {
            return "forward \"" + a.name() + "\" added: " + a.after()
                    + (a.after().enabled() ? "" : " (disabled)");
        }
        if (c instanceof Change.Updated u
                && u.before()
                        .limits()
                        .withExpires(null)
                        .equals(u.after().limits().withExpires(null))
                && u.before()
                        .withEnabled(true)
                        .toString()
                        .equals(u.after().withEnabled(true).toString())
                && u.before().enabled() == u.after().enabled()
                && u.after().limits().expires() != null
                && !u.after().limits().expires().equals(u.before().limits().expires())) {
            return "forward \"" + u.name() + "\" renewed until "
                    + u.after().limits().expires();
        }
        if (c instanceof Change.Updated u) {
            String state = u.before().enabled() == u.after().enabled()
                    ? ""
                    : u.after().enabled() ? " (enabled)" : " (disabled)";
            return "forward \"" + u.name() + "\" changed: " + u.before() + "  =>  " + u.after() + state;
        }
        return "forward \"" + c.name() + "\" removed: " + ((Change.Removed) c).before();
    }

    /** Stops following other nodes' changes. */
    @Override
    public void close() {
        store.close();
    }
}
