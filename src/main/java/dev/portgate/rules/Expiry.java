package dev.portgate.rules;

import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes forwards whose {@code expires} time has come — leases that were not renewed, and
 * forwards made to last a while. Runs once a second on its own thread, so a forward outlives its
 * time by at most about a second, also after a restart (expired rows go at the first sweep).
 * Config-file forwards are left to their file.
 */
public final class Expiry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Expiry.class);
    private static final Actor ACTOR = new Actor("expiry", "");

    private final RuleService rules;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "expiry");
        t.setDaemon(true);
        return t;
    });

    public Expiry(RuleService rules, Clock clock) {
        this.rules = rules;
        this.clock = clock;
    }

    public Expiry start() {
        timer.scheduleWithFixedDelay(this::sweep, 0, 1, TimeUnit.SECONDS);
        return this;
    }

    /** Removes every expired forward now; returns how many went. */
    public int sweep() {
        Instant now = clock.instant();
        int removed = 0;
        try {
            for (Forward f : rules.forwards()) {
                if (f.origin().kind() != Origin.Kind.CONFIG && f.limits().expiredAt(now)) {
                    // Deleted only if still the same rule: a lease renewed in between stays.
                    if (rules.deleteIf(f, ACTOR) instanceof ChangeResult.Applied a && !a.changes().isEmpty()) {
                        removed++;
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("expiry sweep failed: {}", e.toString());
        }
        return removed;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
