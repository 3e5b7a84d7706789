package dev.portgate.web;

import dev.portgate.net.ForwardStats;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.Reconciler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Gateway-wide throughput over the last hour, sampled every five seconds from the forwards'
 * counters: what the console's overview chart draws.
 */
public final class TrafficHistory implements AutoCloseable {

    static final int INTERVAL_SECONDS = 5;
    static final int POINTS = 3600 / INTERVAL_SECONDS;

    /** Bytes per second each way and live connections at one moment. */
    public record Point(long epochSecond, double inPerSecond, double outPerSecond, long connections) {}

    private final Reconciler reconciler;
    private final Deque<Point> points = new ArrayDeque<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "traffic-history");
        t.setDaemon(true);
        return t;
    });
    private long lastIn = -1;
    private long lastOut = -1;
    private long lastNanos;

    public TrafficHistory(Reconciler reconciler) {
        this.reconciler = reconciler;
        timer.scheduleAtFixedRate(this::sample, 0, INTERVAL_SECONDS, TimeUnit.SECONDS);
    }

    private synchronized void sample() {
        long in = 0;
        long out = 0;
        long conns = 0;
        for (ForwardStatus s : reconciler.status().values()) {
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

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
