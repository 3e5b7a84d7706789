package dev.portgate.net;

import dev.portgate.forward.Addresses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies bytes from its channel to the peer. Backpressure: when the peer's outbound buffer is
 * over its high water mark we stop reading here, and read again when the peer drains — no queue,
 * no extra thread. A FIN on this side becomes a FIN on the peer; the other direction goes on.
 */
public final class Relay extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final Channel peer;
    private final LongConsumer counter;

    Relay(Channel peer, LongConsumer counter) {
        this.peer = peer;
        this.counter = counter;
    }

    /**
     * Joins an accepted connection and its dialled peer: counts bytes on the forward and the
     * connection, closes the pair after {@code idle} without traffic (zero: never), and starts reading.
     * Call on the inbound channel's event loop, with nothing else reading on either side.
     */
    public static void join(Channel inbound, Channel outbound, Connection conn, ForwardStats stats, Duration idle) {
        outbound.pipeline().addLast(new Relay(inbound, n -> {
            stats.bytesOut(n);
            conn.addOut(n);
        }));
        if (!idle.isZero()) {
            inbound.pipeline().addLast(new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS));
        }
        inbound.pipeline().addLast(new Relay(outbound, n -> {
            stats.bytesIn(n);
            conn.addIn(n);
        }));
        outbound.config().setAutoRead(true);
        // A client that already half-closed has nothing more to read (and epoll no longer watches it).
        if (!HalfClose.inputShutdown(inbound)) {
            inbound.config().setAutoRead(true);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            counter.accept(buf.readableBytes());
        }
        peer.write(msg, peer.voidPromise());
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
            // A peer on another loop (a node link's stream and a client's) may have drained, and said so, before
            // reading stopped here: its event found reading still on and did nothing. Look once more.
            if (peer.isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // A peer that has said all it will has nothing to read: asking epoll to read it again fails and closes it.
        if (ctx.channel().isWritable() && !HalfClose.inputShutdown(peer)) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            Channel self = ctx.channel();
            if (HalfClose.inputShutdown(peer)) {
                // Both sides have said all they will: flush and close, the close sends the last FIN.
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                self.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                HalfClose.Capable half = HalfClose.of(peer);
                if (half != null && peer.isActive()) {
                    half.shutdownOutput().addListener(done -> closeIfBothShut(peer));
                } else {
                    peer.close();
                }
            });
            closeIfBothShut(self);
        } else if (evt instanceof IdleStateEvent) {
            log.debug(
                    "{}: idle timeout, closing", Addresses.format(ctx.channel().remoteAddress()));
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (log.isTraceEnabled()) {
            log.trace("{}: relay failed", Addresses.format(ctx.channel().remoteAddress()), cause);
        } else {
            log.debug("{}: {}", Addresses.format(ctx.channel().remoteAddress()), cause.toString());
        }
        ctx.close();
    }

    private static void closeIfBothShut(Channel ch) {
        HalfClose.Capable half = HalfClose.of(ch);
        if (half != null && half.isInputShutdown() && half.isOutputShutdown()) {
            ch.close();
        }
    }
}
