package dev.portgate.net;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Says yes at most once per interval, to whichever thread asks first: for log lines and audit entries
 * that a flood from outside would otherwise repeat thousands of times a second.
 */
public final class OncePer {

    private final long intervalNanos;
    private final AtomicLong last;

    public OncePer(Duration interval) {
        this.intervalNanos = interval.toNanos();
        this.last = new AtomicLong(System.nanoTime() - intervalNanos);
    }

    /** True for the first call of each interval; false for every other. */
    public boolean now() {
        long now = System.nanoTime();
        long before = last.get();
        return now - before >= intervalNanos && last.compareAndSet(before, now);
    }
}
