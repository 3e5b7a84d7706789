package dev.portgate.net;

import io.netty.channel.ConnectTimeoutException;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;

/**
 * Whether a forward's target answers, as the last dial or probe found it, in words a user understands:
 * "connection refused", "name does not resolve" — and since when it has been so.
 */
public final class TargetHealth {

    public enum State {
        UNKNOWN,
        REACHABLE,
        UNREACHABLE
    }

    /** {@code since}: when the state began; {@code checked}: the last dial or probe. */
    public record Snapshot(State state, String reason, Instant since, Instant checked) {}

    private final Clock clock;
    private Snapshot last = new Snapshot(State.UNKNOWN, null, null, null);

    public TargetHealth(Clock clock) {
        this.clock = clock;
    }

    public synchronized void reached() {
        Instant now = clock.instant();
        last = new Snapshot(State.REACHABLE, null, last.state() == State.REACHABLE ? last.since() : now, now);
    }

    public synchronized void failed(Throwable cause) {
        failed(reason(cause));
    }

    public synchronized void failed(String reason) {
        Instant now = clock.instant();
        last = new Snapshot(State.UNREACHABLE, reason, last.state() == State.UNREACHABLE ? last.since() : now, now);
    }

    public synchronized Snapshot snapshot() {
        return last;
    }

    /** The resolver's and the socket's exceptions, said plainly. */
    public static String reason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof DialRefused) {
                return c.getMessage();
            }
            if (c instanceof DnsNameResolverTimeoutException) {
                return "name does not resolve: the DNS server did not answer";
            }
            if (c instanceof UnknownHostException) {
                return "name does not resolve";
            }
            if (c instanceof ConnectTimeoutException) {
                return "no answer: the connection timed out";
            }
            if (c instanceof NoRouteToHostException) {
                return "no route to the target";
            }
        }
        String raw = Errors.reason(t);
        String lower = raw.toLowerCase(Locale.ROOT);
        if (lower.contains("refused")) {
            return "connection refused: nothing listens on that port";
        }
        if (lower.contains("no route")) {
            return "no route to the target";
        }
        if (lower.contains("network is unreachable")) {
            return "network unreachable: the gateway has no route there";
        }
        if (lower.contains("timed out")) {
            return "no answer: the connection timed out";
        }
        if (t instanceof ConnectException) {
            return "cannot connect: " + raw;
        }
        return raw;
    }
}
