package dev.portgate.forward;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Who may use a forward, how much and until when: source allow/deny lists, idle timeout, a cap on
 * concurrent connections (UDP: sessions), the moment the forward is removed ({@code expires},
 * null = never; how leases end), how its door is guarded ({@link Protection}), and on which nodes of a cluster it
 * runs ({@code nodes}, empty = every node). A zero duration or count means "no limit".
 */
public record Limits(
        List<Cidr> allow,
        List<Cidr> deny,
        Duration idleTimeout,
        int maxConnections,
        Instant expires,
        Protection protection,
        SortedSet<String> nodes) {

    public static final Limits NONE = new Limits(List.of(), List.of(), Duration.ZERO, 0);

    public Limits(List<Cidr> allow, List<Cidr> deny, Duration idleTimeout, int maxConnections) {
        this(allow, deny, idleTimeout, maxConnections, null, Protection.NONE);
    }

    public Limits(List<Cidr> allow, List<Cidr> deny, Duration idleTimeout, int maxConnections, Instant expires) {
        this(allow, deny, idleTimeout, maxConnections, expires, Protection.NONE);
    }

    public Limits(
            List<Cidr> allow,
            List<Cidr> deny,
            Duration idleTimeout,
            int maxConnections,
            Instant expires,
            Protection protection) {
        this(allow, deny, idleTimeout, maxConnections, expires, protection, null);
    }

    public Limits withExpires(Instant at) {
        return new Limits(allow, deny, idleTimeout, maxConnections, at, protection, nodes);
    }

    public Limits withNodes(Collection<String> names) {
        return new Limits(allow, deny, idleTimeout, maxConnections, expires, protection, new TreeSet<>(names));
    }

    /** Whether the forward runs on the node of that name: it names no nodes, or names this one. */
    public boolean runsOn(String node) {
        return nodes.isEmpty() || nodes.contains(node);
    }

    public boolean expiredAt(Instant now) {
        return expires != null && !expires.isAfter(now);
    }

    public Limits {
        protection = protection == null ? Protection.NONE : protection;
        nodes = nodes == null ? Collections.emptySortedSet() : Collections.unmodifiableSortedSet(new TreeSet<>(nodes));
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idle-timeout is negative");
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("max-connections is negative");
        }
    }

    /** Idle timeout in effect for a protocol: UDP sessions must end some time, TCP ones need not. */
    public Duration idleTimeoutFor(Protocol protocol) {
        if (!idleTimeout.isZero()) {
            return idleTimeout;
        }
        return protocol == Protocol.UDP ? DEFAULT_UDP_IDLE : Duration.ZERO;
    }

    public static final Duration DEFAULT_UDP_IDLE = Duration.ofMinutes(2);
}
