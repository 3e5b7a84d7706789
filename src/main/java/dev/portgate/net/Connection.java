package dev.portgate.net;

import dev.portgate.forward.Protocol;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * One live relayed connection (or UDP session), as the console and the API list it. Its byte
 * counters are written only by its own event loop and read by anyone.
 */
public final class Connection {

    private final long id;
    private final String forward;
    private final Protocol protocol;
    private final InetSocketAddress client;
    private volatile String target;
    private final Instant started = Instant.now();
    private final Channel channel;
    private volatile long bytesIn;
    private volatile long bytesOut;

    Connection(long id, String forward, Protocol protocol, InetSocketAddress client, String target, Channel channel) {
        this.id = id;
        this.forward = forward;
        this.protocol = protocol;
        this.client = client;
        this.target = target;
        this.channel = channel;
    }

    @SuppressWarnings("NonAtomicVolatileUpdate") // single writer: the connection's event loop
    public void addIn(long n) {
        bytesIn += n;
    }

    @SuppressWarnings("NonAtomicVolatileUpdate") // as above
    public void addOut(long n) {
        bytesOut += n;
    }

    public long id() {
        return id;
    }

    public String forward() {
        return forward;
    }

    public Protocol protocol() {
        return protocol;
    }

    public InetSocketAddress client() {
        return client;
    }

    public String target() {
        return target;
    }

    /** A proxy learns its target only when the client names it. */
    public void target(String destination) {
        this.target = destination;
    }

    public Instant started() {
        return started;
    }

    public long bytesIn() {
        return bytesIn;
    }

    public long bytesOut() {
        return bytesOut;
    }

    /** Closes the connection (both sides) from any thread. */
    public void close() {
        channel.close();
    }
}
