package dev.portgate.policy;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The doors a knock or a console login opened: per forward, the source addresses that may start
 * connections, each until a moment. Connections started inside the window outlive it.
 */
public final class Doors {

    /** One open door, for the console. */
    public record Open(String forward, InetAddress source, Instant until, String by) {}

    /** Told of every door opened or closed by hand (the kernel data plane keeps its own copy). */
    public interface Watcher {
        void opened(Open open);

        void closed(String forward, InetAddress source);
    }

    private final Clock clock;
    private final Map<String, Map<InetAddress, Open>> open = new ConcurrentHashMap<>();
    private volatile Watcher watcher;

    public void watch(Watcher next) {
        watcher = next;
    }

    public Doors(Clock clock) {
        this.clock = clock;
    }

    public Open open(String forward, InetAddress source, Duration openFor, String by) {
        Open o = new Open(forward, source, clock.instant().plus(openFor), by);
        open.computeIfAbsent(forward, k -> new ConcurrentHashMap<>()).put(source, o);
        Watcher w = watcher;
        if (w != null) {
            w.opened(o);
        }
        return o;
    }

    public boolean isOpen(String forward, InetAddress source) {
        Map<InetAddress, Open> m = open.get(forward);
        Open o = m == null ? null : m.get(source);
        return o != null && o.until().isAfter(clock.instant());
    }

    public void close(String forward, InetAddress source) {
        Map<InetAddress, Open> m = open.get(forward);
        if (m != null && m.remove(source) != null) {
            Watcher w = watcher;
            if (w != null) {
                w.closed(forward, source);
            }
        }
    }

    /** The doors open now; closed ones are forgotten on the way. */
    public List<Open> list() {
        Instant now = clock.instant();
        List<Open> out = new ArrayList<>();
        for (Map<InetAddress, Open> m : open.values()) {
            m.values().removeIf(o -> !o.until().isAfter(now));
            out.addAll(m.values());
        }
        out.sort(Comparator.comparing(Open::until));
        return out;
    }
}
