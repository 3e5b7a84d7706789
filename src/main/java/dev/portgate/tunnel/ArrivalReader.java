package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.function.BiConsumer;

/**
 * The first handler of a stream the server opened for a TCP arrival: reads the {@link Arrival} header, then holds
 * what follows until the target is dialled and {@link #handOver} passes it on (the relay takes over after it).
 */
final class ArrivalReader extends ChannelInboundHandlerAdapter {

    private final BiConsumer<Channel, Arrival> arrived;
    private ByteBuf held;
    private boolean read;

    ArrivalReader(BiConsumer<Channel, Arrival> arrived) {
        this.arrived = arrived;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (held == null) {
            held = ctx.alloc().buffer(Math.max(Arrival.MAX_BYTES, in.readableBytes()));
        }
        held.writeBytes(in);
        in.release();
        if (read) {
            return;
        }
        Arrival a;
        try {
            a = Arrival.read(held);
        } catch (WireException e) {
            ctx.close();
            return;
        }
        if (a != null) {
            read = true;
            ctx.channel().config().setAutoRead(false);
            arrived.accept(ctx.channel(), a);
        }
    }

    /** Writes what came after the header to {@code target} and steps out of the way. */
    static void handOver(Channel stream, Channel target) {
        ArrivalReader r = stream.pipeline().get(ArrivalReader.class);
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
