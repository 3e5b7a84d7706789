package dev.portgate.policy;

import dev.portgate.forward.Forward;
import dev.portgate.forward.Protection;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Checks single-packet knocks and opens doors for the good ones. A knock must name a forward with
 * {@code access: knock}, carry a MAC under its key, a clock within {@code max-skew} of ours and a
 * nonce not seen before; anything else opens nothing and is counted. A knock is a UDP datagram, whose
 * source anyone can forge, so no knock ever counts towards a ban: a flood is only rate-limited per
 * source, in memory, before any MAC is computed.
 */
public final class Knocks {

    /** What one datagram did. */
    public sealed interface Outcome {
        record Opened(String forward, InetAddress source, Doors.Open door) implements Outcome {}

        record Rejected(String forward, InetAddress source, String why) implements Outcome {}
    }

    private static final int MAX_NONCES = 200_000;
    /** Per source: a burst of 10 knocks, then one a second; enough for a person, useless for guessing. */
    static final Protection.RateLimit PER_SOURCE = new Protection.RateLimit(10, Duration.ofSeconds(10));

    private final Function<String, Optional<Forward>> forwards;
    private final Doors doors;
    private final Bans bans;
    private final Clock clock;
    private final Map<String, Long> seenNonces = new ConcurrentHashMap<>();
    private final Map<Path, CachedKey> keys = new ConcurrentHashMap<>();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder limited = new LongAdder();
    private final RateLimits perSource = new RateLimits();
    private volatile Duration maxSkew = KnockConfig.DEFAULT_SKEW;

    private record CachedKey(long modified, byte[] key) {}

    public Knocks(Function<String, Optional<Forward>> forwards, Doors doors, Bans bans, Clock clock) {
        this.forwards = forwards;
        this.doors = doors;
        this.bans = bans;
        this.clock = clock;
    }

    public void maxSkew(Duration skew) {
        maxSkew = skew;
    }

    public Outcome accept(byte[] datagram, InetAddress source) {
        if (!perSource.tryAcquire("knock", source, PER_SOURCE)) {
            limited.increment();
            rejected.increment();
            return new Outcome.Rejected("", source, "too many knocks from this source");
        }
        Outcome o = check(datagram, source);
        if (o instanceof Outcome.Rejected) {
            rejected.increment();
        } else {
            accepted.increment();
        }
        return o;
    }

    private Outcome check(byte[] datagram, InetAddress source) {
        if (bans.isBanned(source)) {
            return new Outcome.Rejected("", source, "the source is banned");
        }
        KnockPacket p = KnockPacket.parse(datagram);
        if (p == null) {
            return new Outcome.Rejected("", source, "not a knock (" + datagram.length + " bytes)");
        }
        Forward f = forwards.apply(p.forward()).orElse(null);
        Protection protection = f == null ? null : f.limits().protection();
        if (protection == null || protection.access() != Protection.Access.KNOCK || protection.knockKey() == null) {
            return new Outcome.Rejected(p.forward(), source, "no forward \"" + p.forward() + "\" opens by knock");
        }
        byte[] key;
        try {
            key = key(protection.knockKey());
        } catch (IOException e) {
            return new Outcome.Rejected(p.forward(), source, "its key cannot be read: " + e.getMessage());
        }
        if (!KnockPacket.macValid(datagram, key)) {
            return new Outcome.Rejected(p.forward(), source, "wrong key");
        }
        long now = clock.instant().getEpochSecond();
        long skew = maxSkew.toSeconds();
        if (Math.abs(now - p.epochSecond()) > skew) {
            return new Outcome.Rejected(
                    p.forward(),
                    source,
                    "stale: its clock is " + (p.epochSecond() - now) + " s off ours (max " + skew + " s)");
        }
        if (seenNonces.size() > MAX_NONCES) {
            seenNonces.values().removeIf(t -> t < now - 2 * skew);
        }
        String nonce = HexFormat.of().formatHex(p.nonce());
        if (seenNonces.putIfAbsent(nonce, p.epochSecond()) != null) {
            return new Outcome.Rejected(p.forward(), source, "replayed");
        }
        Doors.Open door = doors.open(f.name(), source, protection.openFor(), "knock");
        return new Outcome.Opened(f.name(), source, door);
    }

    private byte[] key(Path file) throws IOException {
        long modified = Files.getLastModifiedTime(file).toMillis();
        CachedKey c = keys.get(file);
        if (c == null || c.modified() != modified) {
            c = new CachedKey(modified, KnockPacket.readKey(file));
            keys.put(file, c);
        }
        return c.key();
    }

    public long accepted() {
        return accepted.sum();
    }

    public long rejected() {
        return rejected.sum();
    }

    /** Knocks dropped unread because their source sent too many. */
    public long rateLimited() {
        return limited.sum();
    }
}
