package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.Consumer;

/**
 * Hands a link's incoming datagrams to its owner, who releases them: on QUIC the connection's DATAGRAM frames
 * (anything else, a new stream, goes on), on the TCP fallback the framed messages of the datagram stream.
 */
final class DatagramIn extends ChannelInboundHandlerAdapter {

    private final Consumer<ByteBuf> owner;

    DatagramIn(Consumer<ByteBuf> owner) {
        this.owner = owner;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf datagram) {
            owner.accept(datagram);
        } else {
            ctx.fireChannelRead(msg);
        }
    }
}
