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
    /** Told of the doors opened and closed here, not of those adopted from other nodes; null alone. */
    private volatile Watcher sharer;

    /** Tells {@code next} of every door opened or closed on this node, so other nodes open and close it too. */
    public void share(Watcher next) {
        sharer = next;
    }

    public void watch(Watcher next) {
        watcher = next;
    }

    public Doors(Clock clock) {
        this.clock = clock;
    }

    public Open open(String forward, InetAddress source, Duration openFor, String by) {
        Open o = adopt(new Open(forward, source, clock.instant().plus(openFor), by));
        Watcher s = sharer;
        if (s != null) {
            s.opened(o);
        }
        return o;
    }

    /** Opens a door another node opened (or one read back from the shared store). */
    public Open adopt(Open o) {
        open.computeIfAbsent(o.forward(), k -> new ConcurrentHashMap<>()).put(o.source(), o);
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
        if (forget(forward, source)) {
            Watcher s = sharer;
            if (s != null) {
                s.closed(forward, source);
            }
        }
    }

    /** Closes a door because another node closed it; true if it was open here. */
    public boolean forget(String forward, InetAddress source) {
        Map<InetAddress, Open> m = open.get(forward);
        if (m == null || m.remove(source) == null) {
            return false;
        }
        Watcher w = watcher;
        if (w != null) {
            w.closed(forward, source);
        }
        return true;
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
