package dev.portgate.web;

import dev.portgate.net.ForwardStats;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.Reconciler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gateway-wide throughput over the last hour, sampled every five seconds from the forwards'
 * counters: what the console's overview chart draws. Each sample also feeds the per-forward charts.
 */
public final class TrafficHistory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrafficHistory.class);

    static final int INTERVAL_SECONDS = 5;
    static final int POINTS = 3600 / INTERVAL_SECONDS;

    /** Bytes per second each way and live connections at one moment. */
    public record Point(long epochSecond, double inPerSecond, double outPerSecond, long connections) {}

    /** Per-forward totals go to the store once a minute (and at the end). */
    private static final int PERSIST_EVERY = 60 / INTERVAL_SECONDS;

    private final Reconciler reconciler;
    private final ForwardTraffic perForward;
    private final Deque<Point> points = new ArrayDeque<>();
    private int samples;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "traffic-history");
        t.setDaemon(true);
        return t;
    });
    private long lastIn = -1;
    private long lastOut = -1;
    private long lastNanos;

    TrafficHistory(Reconciler reconciler, ForwardTraffic perForward) {
        this.reconciler = reconciler;
        this.perForward = perForward;
        timer.scheduleAtFixedRate(this::sample, 0, INTERVAL_SECONDS, TimeUnit.SECONDS);
    }

    private void sample() {
        try {
            Collection<ForwardStatus> all = reconciler.status().values();
            sampleTotals(all);
            perForward.observe(all, System.currentTimeMillis() / 1000);
            if (++samples % PERSIST_EVERY == 0) {
                perForward.persist();
            }
        } catch (RuntimeException e) {
            // A failed sample (the store unwritable a moment) must not end the timer: the next one tries again.
            log.warn("traffic sample failed: {}", e.toString());
        }
    }

    private synchronized void sampleTotals(Collection<ForwardStatus> all) {
        long in = 0;
        long out = 0;
        long conns = 0;
        for (ForwardStatus s : all) {
            if (s.active() != null) {
                ForwardStats.Snapshot snap = s.active().stats().snapshot();
                in += snap.bytesIn();
                out += snap.bytesOut();
                conns += s.active().activeCount();
            }
        }
        long now = System.nanoTime();
        if (lastIn >= 0) {
            double seconds = (now - lastNanos) / 1e9;
            // Counters of a removed forward vanish from the sum: never draw that as negative traffic.
            points.addLast(new Point(
                    System.currentTimeMillis() / 1000,
                    Math.max(0, (in - lastIn) / seconds),
                    Math.max(0, (out - lastOut) / seconds),
                    conns));
            while (points.size() > POINTS) {
                points.removeFirst();
            }
        }
        lastIn = in;
        lastOut = out;
        lastNanos = now;
    }

    public synchronized List<Point> points() {
        return new ArrayList<>(points);
    }

    ForwardTraffic perForward() {
        return perForward;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
            perForward.persist();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("saving the forwards' traffic totals failed: {}", e.toString());
        }
    }
}
