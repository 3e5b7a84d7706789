package dev.portgate.web;

import dev.portgate.net.ActiveForward;
import dev.portgate.net.ForwardStats;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.store.TrafficTotals;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Each forward's traffic: bytes per minute for the last hour and per quarter hour for the last day, and
 * its totals since it was first seen (kept in the store, so a restart does not zero them). Buckets are
 * made only for forwards that carry something, so ten thousand idle leases cost a map entry each.
 */
final class ForwardTraffic {

    /** One chart: the bucket length and, oldest first, [bucket start, bytes/s in, bytes/s out]. */
    record Series(int bucketSeconds, List<long[]> points) {}

    record View(long totalIn, long totalOut, Instant since, Series series) {}

    static final int HOUR_BUCKET = 60;
    static final int HOUR_BUCKETS = 60;
    static final int DAY_BUCKET = 900;
    static final int DAY_BUCKETS = 96;

    private static final class Counted {
        ActiveForward seen;
        long lastIn;
        long lastOut;
        long totalIn;
        long totalOut;
        Instant since;
        boolean dirty;
        Deque<long[]> hour;
        Deque<long[]> day;
    }

    private final TrafficTotals store;
    private final Predicate<String> exists;
    private final Map<String, Counted> byName = new HashMap<>();

    ForwardTraffic(TrafficTotals store, Predicate<String> exists) {
        this.store = store;
        this.exists = exists;
        store.load().forEach((name, t) -> {
            Counted c = new Counted();
            c.totalIn = t.bytesIn();
            c.totalOut = t.bytesOut();
            c.since = t.since();
            byName.put(name, c);
        });
    }

    /** Adds what each running forward counted since the last look. */
    synchronized void observe(Collection<ForwardStatus> all, long epochSecond) {
        for (ForwardStatus s : all) {
            ActiveForward a = s.active();
            if (a == null) {
                continue;
            }
            Counted c = byName.computeIfAbsent(s.name(), n -> new Counted());
            if (c.since == null) {
                c.since = Instant.ofEpochSecond(epochSecond);
                c.dirty = true;
            }
            ForwardStats.Snapshot snap = a.stats().snapshot();
            if (c.seen != a) {
                // A forward started anew (rebound, re-enabled, restarted) counts from zero again.
                c.seen = a;
                c.lastIn = 0;
                c.lastOut = 0;
            }
            long in = Math.max(0, snap.bytesIn() - c.lastIn);
            long out = Math.max(0, snap.bytesOut() - c.lastOut);
            c.lastIn = snap.bytesIn();
            c.lastOut = snap.bytesOut();
            if (in == 0 && out == 0) {
                continue;
            }
            c.totalIn += in;
            c.totalOut += out;
            c.dirty = true;
            if (c.hour == null) {
                c.hour = new ArrayDeque<>();
                c.day = new ArrayDeque<>();
            }
            add(c.hour, HOUR_BUCKET, HOUR_BUCKETS, epochSecond, in, out);
            add(c.day, DAY_BUCKET, DAY_BUCKETS, epochSecond, in, out);
        }
    }

    private static void add(Deque<long[]> buckets, int size, int count, long epochSecond, long in, long out) {
        long start = epochSecond - Math.floorMod(epochSecond, size);
        long[] last = buckets.peekLast();
        if (last == null || last[0] != start) {
            last = new long[] {start, 0, 0};
            buckets.addLast(last);
            while (buckets.size() > count) {
                buckets.removeFirst();
            }
        }
        last[1] += in;
        last[2] += out;
    }

    synchronized Optional<View> view(String name, boolean day, long nowEpochSecond) {
        Counted c = byName.get(name);
        if (c == null) {
            return Optional.empty();
        }
        int size = day ? DAY_BUCKET : HOUR_BUCKET;
        int count = day ? DAY_BUCKETS : HOUR_BUCKETS;
        Map<Long, long[]> have = new HashMap<>();
        if (c.hour != null) {
            (day ? c.day : c.hour).forEach(b -> have.put(b[0], b));
        }
        long newest = nowEpochSecond - Math.floorMod(nowEpochSecond, size);
        List<long[]> points = new ArrayList<>(count);
        for (long start = newest - (long) (count - 1) * size; start <= newest; start += size) {
            long[] b = have.get(start);
            // The current bucket is still filling: its rate is over the seconds it has had so far.
            long seconds = start == newest ? Math.max(1, nowEpochSecond - start + 1) : size;
            points.add(b == null ? new long[] {start, 0, 0} : new long[] {start, b[1] / seconds, b[2] / seconds});
        }
        return Optional.of(new View(c.totalIn, c.totalOut, c.since, new Series(size, points)));
    }

    /** Writes the totals that moved, and forgets forwards that no longer exist. */
    void persist() {
        Map<String, TrafficTotals.Total> changed = new HashMap<>();
        List<String> gone = new ArrayList<>();
        synchronized (this) {
            for (var it = byName.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!exists.test(e.getKey())) {
                    gone.add(e.getKey());
                    it.remove();
                } else if (e.getValue().dirty) {
                    Counted c = e.getValue();
                    changed.put(e.getKey(), new TrafficTotals.Total(c.totalIn, c.totalOut, c.since));
                    c.dirty = false;
                }
            }
        }
        store.save(changed, gone);
    }
}
