package dev.portgate.policy;

import dev.portgate.forward.Protection;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * New connections per source address and forward, as token buckets: {@code count} tokens that
 * refill evenly over {@code per}. Idle buckets are forgotten so scanners cannot grow the table forever.
 */
public final class RateLimits {

    private static final int MAX_BUCKETS = 200_000;

    private record Key(String forward, InetAddress source) {}

    private static final class Bucket {
        double tokens;
        long lastNanos;
    }

    private final Map<Key, Bucket> buckets = new ConcurrentHashMap<>();

    /** Takes one token; false when the source has used its rate up. */
    public boolean tryAcquire(String forward, InetAddress source, Protection.RateLimit limit) {
        long now = System.nanoTime();
        if (buckets.size() > MAX_BUCKETS) {
            buckets.values().removeIf(b -> now - b.lastNanos > limit.per().toNanos());
        }
        Bucket b = buckets.computeIfAbsent(new Key(forward, source), k -> {
            Bucket n = new Bucket();
            n.tokens = limit.count();
            n.lastNanos = now;
            return n;
        });
        synchronized (b) {
            double perNano = limit.count() / (double) limit.per().toNanos();
            b.tokens = Math.min(limit.count(), b.tokens + (now - b.lastNanos) * perNano);
            b.lastNanos = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
