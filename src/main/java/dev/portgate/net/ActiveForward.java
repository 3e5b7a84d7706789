package dev.portgate.net;

import dev.portgate.forward.Forward;
import dev.portgate.forward.Protocol;
import io.netty.channel.Channel;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A forward as it runs: its current rule (swapped in place when an edit needs no rebind), its
 * counters and its live connections. Listeners read the rule at each accept.
 */
public final class ActiveForward {

    private volatile Forward forward;
    private final ForwardStats stats = new ForwardStats();
    private final TargetHealth health = new TargetHealth(Clock.systemUTC());
    private final Instant started = Instant.now();
    private final Map<Long, Connection> connections = new ConcurrentHashMap<>();
    private final AtomicLong ids;

    public ActiveForward(Forward forward, AtomicLong connectionIds) {
        this.forward = forward;
        this.ids = connectionIds;
    }

    public Forward forward() {
        return forward;
    }

    public Instant started() {
        return started;
    }

    /** Whether the target answered the last dial or probe. */
    public TargetHealth health() {
        return health;
    }

    public void update(Forward next) {
        this.forward = next;
        GlobalTrafficShapingHandler s = shaper;
        if (s != null) {
            long limit = next.limits().protection().bandwidth();
            s.configure(limit, limit);
        }
    }

    private volatile GlobalTrafficShapingHandler shaper;
    private final DatagramBudget datagramsIn = new DatagramBudget();
    private final DatagramBudget datagramsOut = new DatagramBudget();

    /**
     * UDP under a bandwidth limit: datagrams cannot wait for the way TCP does, so beyond the rate (plus a
     * tenth of a second's burst) they are dropped and counted, as a router's policer does.
     */
    public boolean admitDatagram(boolean toTarget, int bytes) {
        long limit = forward.limits().protection().bandwidth();
        return limit <= 0 || (toTarget ? datagramsIn : datagramsOut).take(limit, bytes);
    }

    /** A token bucket of bytes, refilled at the forward's bandwidth. */
    private static final class DatagramBudget {
        private double tokens = -1;
        private long lastNanos;

        synchronized boolean take(long perSecond, int bytes) {
            long now = System.nanoTime();
            double burst = Math.max(65_536, perSecond / 10.0);
            tokens = tokens < 0 ? burst : Math.min(burst, tokens + (now - lastNanos) * perSecond / 1e9);
            lastNanos = now;
            if (tokens >= bytes) {
                tokens -= bytes;
                return true;
            }
            return false;
        }
    }

    /**
     * The forward's bandwidth shaper, shared by all its connections so the limit holds for the forward
     * as a whole, each direction; null when the forward has no bandwidth limit.
     */
    public synchronized GlobalTrafficShapingHandler shaper(ScheduledExecutorService timer) {
        long limit = forward.limits().protection().bandwidth();
        if (limit <= 0) {
            return null;
        }
        if (shaper == null) {
            // 100 ms accounting steps: smooth enough for people, cheap enough for the event loops.
            shaper = new GlobalTrafficShapingHandler(timer, limit, limit, 100);
        }
        return shaper;
    }

    public String name() {
        return forward.name();
    }

    private volatile String warning;

    /** Something wrong that the forward's traffic shows (e.g. replies that never come back), or null. */
    public String warning() {
        return warning;
    }

    public void warning(String text) {
        warning = text;
    }

    public ForwardStats stats() {
        return stats;
    }

    public Collection<Connection> connections() {
        return List.copyOf(connections.values());
    }

    public int activeCount() {
        return connections.size();
    }

    public Connection register(Protocol protocol, Channel channel, InetSocketAddress client, String target) {
        Connection c = new Connection(ids.incrementAndGet(), forward.name(), protocol, client, target, channel);
        connections.put(c.id(), c);
        channel.closeFuture().addListener(f -> connections.remove(c.id()));
        return c;
    }

    /** A TCP connection of this forward: listed, and counted as opened now and as closed when {@code channel} closes. */
    public Connection openTcp(Channel channel, InetSocketAddress client, String target) {
        Connection c = register(Protocol.TCP, channel, client, target);
        stats.connectionOpened();
        channel.closeFuture().addListener(f -> stats.connectionClosed());
        return c;
    }

    /** Closes every live connection of this forward (on disable or delete). */
    public void closeConnections() {
        connections.values().forEach(Connection::close);
        synchronized (this) {
            if (shaper != null) {
                shaper.release();
                shaper = null;
            }
        }
    }
}
