package dev.portgate.policy;

import dev.portgate.forward.Addresses;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing per source address: after five failures in a row the address is locked
 * out for a minute, and each further failure doubles the lock, up to an hour. Failures also count
 * towards {@link Bans}, and a banned address is locked out here too.
 */
public final class LoginThrottle {

    public static final int FREE_ATTEMPTS = 5;
    private static final Duration FIRST_LOCK = Duration.ofMinutes(1);
    private static final Duration MAX_LOCK = Duration.ofHours(1);
    private static final int MAX_TRACKED = 100_000;

    private record State(int failures, Instant lockedUntil) {}

    private final Map<String, State> byAddress = new ConcurrentHashMap<>();
    private final Bans bans;
    private final String where;

    /** A throttle whose failures also count towards bans everywhere; {@code where} names it in the ban's reason. */
    public LoginThrottle(Bans bans, String where) {
        this.bans = bans;
        this.where = where;
    }

    public LoginThrottle() {
        this(null, "");
    }

    /** How long this address must still wait, if it is locked out. */
    public Optional<Duration> lockedFor(String address) {
        InetAddress source = Addresses.literal(address);
        if (bans != null && source != null) {
            Optional<Duration> banned = bans.bannedFor(Addresses.unmap(source));
            if (banned.isPresent()) {
                return banned;
            }
        }
        State s = byAddress.get(address);
        if (s == null || s.lockedUntil == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(Instant.now(), s.lockedUntil);
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    public void failed(String address) {
        InetAddress source = Addresses.literal(address);
        if (bans != null && source != null) {
            bans.failed(Addresses.unmap(source), where);
        }
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
