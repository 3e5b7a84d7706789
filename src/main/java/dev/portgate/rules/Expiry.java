package dev.portgate.rules;

import dev.portgate.forward.Durations;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends forwards on time: removes those whose {@code expires} has come — leases that were not
 * renewed, forwards made to last a while — and disables those idle longer than their
 * {@code close-when-idle}. Runs once a second on its own thread, so a forward outlives its time by
 * about a second at most, also after a restart (the expiry time is stored, and expired rows go at the
 * first sweep). A config-file forward is disabled rather than removed: its file owns it. With several nodes on
 * one store, shared forwards are removed by the one node that holds the lead (the others would only conflict).
 */
public final class Expiry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Expiry.class);
    private static final Actor ACTOR = new Actor("expiry", "");
    private static final Actor IDLE = new Actor("idle", "");

    private final RuleService rules;
    private final Reconciler reconciler;
    private final Clock clock;
    private final BooleanSupplier leader;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "expiry");
        t.setDaemon(true);
        return t;
    });

    public Expiry(RuleService rules, Reconciler reconciler, Clock clock) {
        this(rules, reconciler, clock, () -> true);
    }

    /** {@code leader}: whether this node runs the cluster's timed jobs now; the others leave shared forwards be. */
    public Expiry(RuleService rules, Reconciler reconciler, Clock clock, BooleanSupplier leader) {
        this.rules = rules;
        this.reconciler = reconciler;
        this.clock = clock;
        this.leader = leader;
    }

    public Expiry start() {
        timer.scheduleWithFixedDelay(this::sweep, 0, 1, TimeUnit.SECONDS);
        return this;
    }

    /** Removes every expired forward now; returns how many went. */
    public int sweep() {
        Instant now = clock.instant();
        int removed = 0;
        boolean lead = leader.getAsBoolean();
        try {
            for (Forward f : rules.forwards()) {
                if (f.limits().expiredAt(now)) {
                    if (!lead && !f.origin().kind().sessionScoped()) {
                        continue; // a shared forward: the node that runs the timed jobs removes it, once
                    }
                    if (f.origin().kind() == Origin.Kind.CONFIG) {
                        if (f.enabled()) {
                            rules.setEnabled(f.name(), false, Origin.Kind.CONFIG, ACTOR);
                            removed++;
                        }
                    } else if (rules.deleteIf(f, ACTOR) instanceof ChangeResult.Applied a
                            && !a.changes().isEmpty()) {
                        // Deleted only if still the same rule: a lease renewed in between stays.
                        removed++;
                    }
                } else if (idle(f)) {
                    log.info(
                            "forward \"{}\" carried nothing for {}: closing it (close-when-idle)",
                            f.name(),
                            Durations.format(f.limits().protection().closeWhenIdle()));
                    rules.setEnabled(f.name(), false, f.origin().kind(), IDLE);
                    removed++;
                }
            }
        } catch (RuntimeException e) {
            log.warn("expiry sweep failed: {}", e.toString());
        }
        return removed;
    }

    private boolean idle(Forward f) {
        Duration limit = f.limits().protection().closeWhenIdle();
        if (!f.enabled() || limit.isZero()) {
            return false;
        }
        ForwardStatus s = reconciler.status(f.name());
        return s != null
                && s.active() != null
                && s.active().activeCount() == 0
                && s.active().stats().idleFor().compareTo(limit) >= 0;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
