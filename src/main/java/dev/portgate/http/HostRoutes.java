package dev.portgate.http;

import dev.portgate.forward.HostName;
import dev.portgate.forward.HostPattern;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which route serves which host: an exact name first, then the wildcard one label up. Read on every request from the
 * event loops, written when a forward comes or goes; a look-up is two hash probes whatever the number of sites.
 */
public final class HostRoutes<T> {

    private final Map<HostName, T> exact = new ConcurrentHashMap<>();
    /** Keyed by the wildcard's base: {@code example.net} for {@code *.example.net}. */
    private final Map<HostName, T> wildcards = new ConcurrentHashMap<>();

    /** Adds a route; if the pattern is taken, keeps the route that holds it and returns that one. */
    public Optional<T> claim(HostPattern pattern, T route) {
        T held = table(pattern).putIfAbsent(pattern.name(), route);
        return Optional.ofNullable(held);
    }

    /** Removes the pattern's route if it is {@code route}. */
    public void release(HostPattern pattern, T route) {
        table(pattern).remove(pattern.name(), route);
    }

    /** The route of exactly this pattern (no wildcard matching). */
    public Optional<T> get(HostPattern pattern) {
        return Optional.ofNullable(table(pattern).get(pattern.name()));
    }

    public Optional<T> lookup(HostName host) {
        T route = exact.get(host);
        if (route == null) {
            HostName parent = host.parent();
            route = parent == null ? null : wildcards.get(parent);
        }
        return Optional.ofNullable(route);
    }

    public int size() {
        return exact.size() + wildcards.size();
    }

    private Map<HostName, T> table(HostPattern pattern) {
        return pattern.wildcard() ? wildcards : exact;
    }
}
