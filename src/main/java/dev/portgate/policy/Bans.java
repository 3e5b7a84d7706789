package dev.portgate.policy;

import dev.portgate.forward.Durations;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Sources that failed authentication too often — anywhere: console, SSH, SOCKS/HTTP proxy, knock —
 * are banned for a while and refused everywhere. {@code after} failures within {@code window} ban for
 * {@code duration}; an administrator can lift a ban early.
 */
public final class Bans {

    public record Settings(int after, Duration window, Duration duration) {
        public static final Settings DEFAULT = new Settings(10, Duration.ofMinutes(10), Duration.ofHours(1));
    }

    /** A ban, for the console and the audit log. */
    public record Ban(InetAddress source, Instant until, String reason) {}

    private static final int MAX_TRACKED = 100_000;

    /** Where bans are kept across restarts. */
    public interface Store {
        Store NONE = new Store() {
            @Override
            public List<Ban> load(Instant now) {
                return List.of();
            }

            @Override
            public void put(Ban ban) {}

            @Override
            public void remove(InetAddress source) {}
        };

        List<Ban> load(Instant now);

        void put(Ban ban);

        void remove(InetAddress source);
    }

    private volatile Store store = Store.NONE;

    /** Keeps bans in {@code store} from now on, and takes back those it holds that have not ended. */
    public void store(Store next) {
        store = next;
        for (Ban b : next.load(clock.instant())) {
            banned.put(b.source(), b);
        }
    }

    private final Clock clock;
    private final Consumer<Ban> onBan;
    private volatile Settings settings = Settings.DEFAULT;
    private final Map<InetAddress, Deque<Instant>> failures = new ConcurrentHashMap<>();
    private final Map<InetAddress, Ban> banned = new ConcurrentHashMap<>();

    public Bans(Clock clock, Consumer<Ban> onBan) {
        this.clock = clock;
        this.onBan = onBan;
    }

    public void settings(Settings next) {
        settings = next;
    }

    public Settings settings() {
        return settings;
    }

    /** Records one failed authentication of {@code source} at {@code where} (e.g. "ssh", "console"). */
    public void failed(InetAddress source, String where) {
        if (source == null) {
            return;
        }
        Settings s = settings;
        Instant now = clock.instant();
        if (failures.size() > MAX_TRACKED) {
            failures.entrySet()
                    .removeIf(e ->
                            e.getValue().isEmpty() || e.getValue().peekLast().isBefore(now.minus(s.window())));
        }
        Deque<Instant> times = failures.computeIfAbsent(source, k -> new ArrayDeque<>());
        Ban ban = null;
        synchronized (times) {
            times.addLast(now);
            while (!times.isEmpty() && times.peekFirst().isBefore(now.minus(s.window()))) {
                times.removeFirst();
            }
            if (times.size() >= s.after() && !isBanned(source)) {
                ban = new Ban(
                        source,
                        now.plus(s.duration()),
                        times.size() + " failed authentications within " + Durations.format(s.window())
                                + ", the last at " + where);
                times.clear();
            }
        }
        if (ban != null) {
            banned.put(source, ban);
            store.put(ban);
            onBan.accept(ban);
        }
    }

    public boolean isBanned(InetAddress source) {
        Ban b = banned.get(source);
        if (b == null) {
            return false;
        }
        if (!b.until().isAfter(clock.instant())) {
            banned.remove(source, b);
            return false;
        }
        return true;
    }

    /** How long the source stays banned, if it is. */
    public Optional<Duration> bannedFor(InetAddress source) {
        if (!isBanned(source)) {
            return Optional.empty();
        }
        Ban b = banned.get(source);
        return b == null ? Optional.empty() : Optional.of(Duration.between(clock.instant(), b.until()));
    }

    public boolean unban(InetAddress source) {
        failures.remove(source);
        boolean was = banned.remove(source) != null;
        if (was) {
            store.remove(source);
        }
        return was;
    }

    /** Takes a ban another node made (already stored and audited there). */
    public void adopt(Ban ban) {
        if (ban.until().isAfter(clock.instant())) {
            banned.put(ban.source(), ban);
        }
    }

    /** Lifts a ban because another node lifted it (already stored and audited there). */
    public void forget(InetAddress source) {
        failures.remove(source);
        banned.remove(source);
    }

    public List<Ban> list() {
        Instant now = clock.instant();
        banned.values().removeIf(b -> !b.until().isAfter(now));
        List<Ban> out = new ArrayList<>(banned.values());
        out.sort(Comparator.comparing(Ban::until));
        return out;
    }
}
