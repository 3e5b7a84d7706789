package dev.portgate.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing per source address: after five failures in a row the address is locked
 * out for a minute, and each further failure doubles the lock, up to an hour.
 */
public final class LoginThrottle {

    public static final int FREE_ATTEMPTS = 5;
    private static final Duration FIRST_LOCK = Duration.ofMinutes(1);
    private static final Duration MAX_LOCK = Duration.ofHours(1);
    private static final int MAX_TRACKED = 100_000;

    private record State(int failures, Instant lockedUntil) {
    }

    private final Map<String, State> byAddress = new ConcurrentHashMap<>();

    /** How long this address must still wait, if it is locked out. */
    public Optional<Duration> lockedFor(String address) {
        State s = byAddress.get(address);
        if (s == null || s.lockedUntil == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(Instant.now(), s.lockedUntil);
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    public void failed(String address) {
        if (byAddress.size() > MAX_TRACKED) {
            Instant now = Instant.now();
            byAddress.values().removeIf(s -> s.lockedUntil == null || s.lockedUntil.isBefore(now));
        }
        byAddress.compute(address, (a, s) -> {
            int failures = s == null ? 1 : s.failures + 1;
            if (failures < FREE_ATTEMPTS) {
                return new State(failures, null);
            }
            long factor = 1L << Math.min(failures - FREE_ATTEMPTS, 6);
            Duration lock = FIRST_LOCK.multipliedBy(factor);
            return new State(failures, Instant.now().plus(lock.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : lock));
        });
    }

    public void succeeded(String address) {
        byAddress.remove(address);
    }
}
