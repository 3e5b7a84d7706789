package dev.portgate.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * The first handler of an accepted connection, which dials the target before the relay exists. What
 * arrives meanwhile — bytes a TLS handshake pulled in behind its last record, or a client that sent
 * its request and half-closed at once ({@code echo hi | nc}) — is kept here and handed to the relay
 * once it runs, so neither the bytes nor the end-of-stream are lost.
 */
public abstract class FirstHandler extends ChannelInboundHandlerAdapter {

    private final List<Object> early = new ArrayList<>();
    private boolean inputShutdown;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        early.add(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            early.forEach(ReferenceCountUtil::release);
            early.clear();
        }
    }

    /** Hands what came early on from just behind {@code after} (the TLS handler), or from the pipeline's head. */
    protected void replayEarly(Channel inbound, String after) {
        ChannelHandlerContext from = after == null ? null : inbound.pipeline().context(after);
        for (Object m : early) {
            if (from != null) {
                from.fireChannelRead(m);
            } else {
                inbound.pipeline().fireChannelRead(m);
            }
        }
        if (!early.isEmpty()) {
            if (from != null) {
                from.fireChannelReadComplete();
            } else {
                inbound.pipeline().fireChannelReadComplete();
            }
        }
        early.clear();
        if (inputShutdown) {
            if (from != null) {
                from.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            } else {
                inbound.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
        }
    }
}
