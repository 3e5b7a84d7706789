package dev.portgate.net;

import dev.portgate.forward.Protocol;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live connections that no forward owns — the {@code -L} and {@code -D} channels that OpenSSH clients open
 * on portgate's SSH server, and what the transparent egress listener carries — so that the console and the
 * API list them beside the forwards' own, under their owner ({@code ssh-<user>}, {@code egress}), with ids
 * from the same sequence.
 */
public final class SideConnections {

    private final AtomicLong ids;
    private final ForwardStats stats = new ForwardStats();
    private final Map<Long, Connection> live = new ConcurrentHashMap<>();

    /** {@code ids}: the sequence every forward's connections draw from, so an id names one connection. */
    public SideConnections(AtomicLong ids) {
        this.ids = ids;
    }

    /** Registers a relayed TCP connection that ends when {@code channel} closes, and joins the pair with counting. */
    public Connection join(String owner, InetSocketAddress client, String target, Channel channel, Channel peer) {
        Connection c = new Connection(ids.incrementAndGet(), owner, Protocol.TCP, client, target, channel);
        live.put(c.id(), c);
        stats.connectionOpened();
        channel.closeFuture().addListener(f -> {
            live.remove(c.id());
            stats.connectionClosed();
        });
        Relay.join(channel, peer, c, stats, Duration.ZERO);
        return c;
    }

    public Collection<Connection> connections() {
        return List.copyOf(live.values());
    }

    /** Bytes and connections of all of them together. */
    public ForwardStats stats() {
        return stats;
    }
}
