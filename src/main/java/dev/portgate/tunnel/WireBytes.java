package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes a TCP connection carries each way, first in its pipeline so TLS is counted as QUIC counts it.
 * Written and read on the connection's loop only.
 */
final class WireBytes extends ChannelDuplexHandler implements H2Carrier.Bytes {

    private long sent;
    private long received;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            received += b.readableBytes();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            sent += b.readableBytes();
        }
        ctx.write(msg, promise);
    }

    @Override
    public long sent() {
        return sent;
    }

    @Override
    public long received() {
        return received;
    }
}
