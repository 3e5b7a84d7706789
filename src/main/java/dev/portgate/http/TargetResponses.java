package dev.portgate.http;

import dev.portgate.forward.Addresses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The last handler on a site's target connection: hands each decoded response part to its exchange. */
final class TargetResponses extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TargetResponses.class);

    private final HttpExchange exchange;

    TargetResponses(HttpExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        exchange.fromTarget(ctx.channel(), msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        exchange.targetGone(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        exchange.targetReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The decoder has already passed on a body that ends with the connection.
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("target {}: {}", Addresses.format(ctx.channel().remoteAddress()), cause.toString());
        ctx.close();
    }
}
