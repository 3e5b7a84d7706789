package dev.portgate.tunnel;

import dev.portgate.forward.Protocol;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Connection;
import dev.portgate.net.UdpFlow;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One player's UDP flow on a tunnel client's public port, at the server: datagrams in go to the client as QUIC
 * datagrams tagged with the flow id; the client's answers come back here and out through the public socket.
 * Lives on the QUIC connection's loop, which is also the public socket's.
 */
final class ServerFlow implements UdpFlow {

    /** Where the client's answers go (taking the payload): out of the public socket, or back over a node link. */
    interface Replies {
        void send(ByteBuf payload, InetSocketAddress player);

        static Replies through(Channel socket) {
            return (payload, player) -> socket.writeAndFlush(new DatagramPacket(payload, player), socket.voidPromise());
        }
    }

    private final ClientLink link;
    private final int id;
    private final Arrival arrival;
    private final ActiveForward active;
    private final EventLoop loop;
    private final Replies replies;
    private final Consumer<UdpFlow> onClose;
    private final Connection connection;
    /** Stands for the flow in the connection list: closing it there ends the flow. */
    private final EmbeddedChannel handle = new EmbeddedChannel();

    private final long idleNanos;
    private long lastSeen = System.nanoTime();
    private ScheduledFuture<?> idleCheck;
    private boolean closed;

    ServerFlow(
            ClientLink link,
            int id,
            Arrival arrival,
            ActiveForward active,
            EventLoop loop,
            Replies replies,
            Duration idle,
            Consumer<UdpFlow> onClose) {
        this.link = link;
        this.id = id;
        this.arrival = arrival;
        this.active = active;
        this.loop = loop;
        this.replies = replies;
        this.onClose = onClose;
        this.idleNanos = idle.toNanos();
        this.connection = active.register(Protocol.UDP, handle, arrival.from(), "tunnel client " + link.clientName());
        handle.closeFuture().addListener(f -> loop.execute(this::close));
    }

    void start() {
        active.stats().sessionOpened();
        if (idleNanos > 0) {
            long every = Math.max(idleNanos / 4, TimeUnit.SECONDS.toNanos(1));
            idleCheck = loop.scheduleAtFixedRate(
                    () -> {
                        if (System.nanoTime() - lastSeen > idleNanos) {
                            close();
                        }
                    },
                    every,
                    every,
                    TimeUnit.NANOSECONDS);
        }
    }

    int id() {
        return id;
    }

    @Override
    public boolean send(ByteBuf content) {
        try {
            if (closed) {
                return false;
            }
            lastSeen = System.nanoTime();
            int n = content.readableBytes();
            if (!link.sendDatagram(Datagrams.toClient(link.alloc(), id, arrival, content))) {
                active.stats().packetDropped();
                return false;
            }
            connection.addIn(n);
            return true;
        } finally {
            content.release();
        }
    }

    /** The client's answer: out through the public socket to the player. */
    void reply(ByteBuf payload) {
        if (closed) {
            return;
        }
        int n = payload.readableBytes();
        if (!active.admitDatagram(false, n)) {
            active.stats().packetDropped();
            return;
        }
        lastSeen = System.nanoTime();
        active.stats().packetOut(n);
        connection.addOut(n);
        replies.send(payload.retain(), arrival.from());
    }

    @Override
    public void flush() {
        link.flush();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        link.flowEnded(this);
        onClose.accept(this);
        active.stats().sessionClosed();
        handle.close();
    }

    @Override
    public InetSocketAddress client() {
        return arrival.from();
    }
}
