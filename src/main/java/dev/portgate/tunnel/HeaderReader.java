package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.BiConsumer;

/**
 * The first handler of a tunnel stream that starts with a header — an {@link Arrival} on a stream the server
 * opened, an {@link OpenRequest} on one the client opened, an {@link OpenAnswer} back: reads the header, stops
 * reading, and holds what follows (and an early end of input) until {@link #handOver} passes it on to the relay.
 */
final class HeaderReader<T> extends ChannelInboundHandlerAdapter {

    /** Reads a whole header off the buffer, or returns null (index unmoved) when more bytes are needed. */
    interface Format<T> {
        T read(ByteBuf in);
    }

    private final Format<T> format;
    private final int maxBytes;
    private final BiConsumer<Channel, T> read;
    private ByteBuf held;
    private boolean done;
    private boolean inputShut;

    HeaderReader(Format<T> format, int maxBytes, BiConsumer<Channel, T> read) {
        this.format = format;
        this.maxBytes = maxBytes;
        this.read = read;
    }

    static HeaderReader<Arrival> arrival(BiConsumer<Channel, Arrival> arrived) {
        return new HeaderReader<>(Arrival::read, Arrival.MAX_BYTES, arrived);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (held == null) {
            held = ctx.alloc().buffer(Math.max(maxBytes, in.readableBytes()));
        }
        held.writeBytes(in);
        in.release();
        if (done) {
            return;
        }
        T header;
        try {
            header = format.read(held);
        } catch (WireException e) {
            ctx.close();
            return;
        }
        if (header == null && held.readableBytes() >= maxBytes) {
            ctx.close();
            return;
        }
        if (header != null) {
            done = true;
            ctx.channel().config().setAutoRead(false);
            read.accept(ctx.channel(), header);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && done) {
            // Said all it will before the relay was there: the relay hears of it when it takes over.
            inputShut = true;
        } else if (evt instanceof ChannelInputShutdownEvent) {
            // Ended before its header was whole: there is nothing to do with it.
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** Writes what came after the header to {@code target} and steps out of the way. */
    static void handOver(Channel stream, Channel target) {
        HeaderReader<?> r = stream.pipeline().get(HeaderReader.class);
        if (r == null) {
            return;
        }
        if (r.held != null && r.held.isReadable()) {
            target.writeAndFlush(r.held, target.voidPromise());
        } else if (r.held != null) {
            r.held.release();
        }
        r.held = null;
        stream.pipeline().remove(r);
        if (r.inputShut) {
            // After the caller's task, which adds the relay.
            stream.eventLoop()
                    .execute(() -> stream.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE));
        }
    }

    /**
     * Steps out of the way and, after the current task (in which the caller adds the relay), passes on down the
     * pipeline what came after the header: for a caller that gets the stream without knowing of the header.
     */
    static void release(Channel stream) {
        HeaderReader<?> r = stream.pipeline().get(HeaderReader.class);
        if (r == null) {
            return;
        }
        ByteBuf rest = r.held;
        boolean shut = r.inputShut;
        r.held = null;
        stream.pipeline().remove(r);
        stream.eventLoop().execute(() -> {
            if (rest != null && rest.isReadable()) {
                stream.pipeline().fireChannelRead(rest);
                stream.pipeline().fireChannelReadComplete();
            } else if (rest != null) {
                rest.release();
            }
            if (shut) {
                stream.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
        });
    }

    /** A stream that fails (reset by its peer) before the relay took over is over: whoever waits on it hears so. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (held != null) {
            held.release();
            held = null;
        }
        ctx.fireChannelInactive();
    }
}
