package dev.portgate.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A site's kept-alive connections to its target that no visitor is using, per event loop: a visitor who closes
 * leaves its target connection here, and the next visitor on that loop takes it instead of dialling, as nginx's and
 * haproxy's upstream pools do. Each loop's queue is touched only on that loop. A kept connection that the target
 * closes, speaks on, or that stays unused for {@link #IDLE_SECONDS}, is closed and forgotten.
 */
final class IdleTargets {

    static final int PER_LOOP = 32;
    static final long IDLE_SECONDS = 30;
    static final String HANDLER = "responses";

    private final Map<EventLoop, ArrayDeque<Channel>> byLoop = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A kept connection on {@code loop}, its pipeline ready for a new exchange's handler, or null. Call on loop. */
    Channel take(EventLoop loop) {
        ArrayDeque<Channel> idle = byLoop.get(loop);
        while (idle != null && !idle.isEmpty()) {
            Channel t = idle.pollLast();
            if (t.isActive() && t.pipeline().get(HANDLER) instanceof Idle) {
                return t;
            }
        }
        return null;
    }

    /** Keeps {@code t} (its response handler replaced) if there is room; false if the caller should close it. */
    boolean keep(Channel t) {
        if (closed || !t.isActive()) {
            return false;
        }
        ArrayDeque<Channel> idle = byLoop.computeIfAbsent(t.eventLoop(), l -> new ArrayDeque<>());
        if (idle.size() >= PER_LOOP) {
            return false;
        }
        t.pipeline().replace(HANDLER, HANDLER, new Idle(idle));
        idle.addLast(t);
        t.read(); // a target that closes the kept connection is noticed at once
        return true;
    }

    /** The site stops: its kept connections close. */
    void closeAll() {
        closed = true;
        byLoop.forEach((loop, idle) -> loop.execute(() -> {
            while (!idle.isEmpty()) {
                idle.poll().close();
            }
        }));
    }

    /** The handler of a kept connection: anything but silence ends it. */
    private static final class Idle extends ChannelInboundHandlerAdapter {
        private final ArrayDeque<Channel> queue;
        private ScheduledFuture<?> expiry;

        Idle(ArrayDeque<Channel> queue) {
            this.queue = queue;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            expiry = ctx.executor().schedule(() -> ctx.channel().close(), IDLE_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            expiry.cancel(false);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg); // a target that speaks unasked is not reused
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            queue.remove(ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
