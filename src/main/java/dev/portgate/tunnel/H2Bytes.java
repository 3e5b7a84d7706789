package dev.portgate.tunnel;

import dev.portgate.net.HalfClose;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Makes an HTTP/2 stream look like a byte stream to the handlers after it (control framing, arrival header,
 * relay), so the TCP fallback carries exactly what a QUIC stream carries: DATA frames in become their bytes, bytes
 * out become DATA frames, END_STREAM is a half-close each way, a reset closes. The stream's own HEADERS are
 * exchanged before this handler takes over.
 */
final class H2Bytes extends ChannelDuplexHandler implements HalfClose.Capable {

    /** How long a closing stream waits for the peer to take what is still queued for it. */
    private static final long CLOSE_SECONDS = 30;

    private ChannelHandlerContext ctx;

    private boolean inputShut;
    private boolean outputShut;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.channel().attr(HalfClose.KEY).set(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2DataFrame data) {
            boolean end = data.isEndStream();
            ByteBuf content = data.content();
            if (content.isReadable()) {
                ctx.fireChannelRead(content);
            } else {
                content.release();
            }
            if (end) {
                endOfInput(ctx);
            }
        } else if (msg instanceof Http2HeadersFrame headers) {
            // The server's answer on a stream the client opened: anything but 200 means it was refused.
            CharSequence status = headers.headers().status();
            if (status != null && !"200".contentEquals(status)) {
                ctx.close();
            } else if (headers.isEndStream()) {
                endOfInput(ctx);
            }
        } else if (msg instanceof Http2ResetFrame) {
            ctx.close();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void endOfInput(ChannelHandlerContext ctx) {
        if (inputShut) {
            return;
        }
        inputShut = true;
        ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            if (outputShut) {
                buf.release();
                promise.tryFailure(new IllegalStateException("the stream's output is shut"));
                return;
            }
            // An empty buffer (the relay's "flush, then close") goes out as an empty DATA frame too: its promise
            // then completes after the data queued before it, not before, so a close does not cut that data off.
            ctx.write(new DefaultHttp2DataFrame(buf), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /**
     * Ends the stream with END_STREAM before closing it: a bare close is a RST_STREAM, which is not flow-controlled
     * and overtakes the DATA still waiting for the peer's window — the peer would lose the end of what was sent.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (outputShut || !ctx.channel().isActive()) {
            ctx.close(promise);
            return;
        }
        outputShut = true;
        // A peer that never opens its window again does not hold the stream open for ever.
        ScheduledFuture<?> cap = ctx.executor().schedule(() -> ctx.close(promise), CLOSE_SECONDS, TimeUnit.SECONDS);
        ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true))
                .addListener(f -> {
                    if (cap.cancel(false)) {
                        ctx.close(promise);
                    }
                });
    }

    @Override
    public boolean isInputShutdown() {
        return inputShut;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShut;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        if (outputShut) {
            return ctx.newSucceededFuture();
        }
        outputShut = true;
        return ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true));
    }
}
