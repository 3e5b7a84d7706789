package dev.portgate.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Before the HTTP decoder: tells the exchange that bytes arrived, so the time a request head may take starts with
 * its first byte. The decoder itself passes nothing on until the head is whole, however slowly it trickles in.
 */
final class HeadBytes extends ChannelInboundHandlerAdapter {

    private final HttpExchange exchange;

    HeadBytes(HttpExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            exchange.bytesArrived();
        }
        ctx.fireChannelRead(msg);
    }
}
