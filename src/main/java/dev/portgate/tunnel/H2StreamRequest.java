package dev.portgate.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The server's first handler of a stream a fallback client opened: reads its request line (the path says what
 * the stream is for), answers 200 and hands the stream, now a byte stream, to the client's link; an unknown path
 * gets 404, and one nothing waits for (a late arrival stream) is reset.
 */
final class H2StreamRequest extends ChannelInboundHandlerAdapter {

    /** What a stream is for, by its path. */
    interface Streams {
        /** Takes the stream; false if nothing waits for it (then it is reset). */
        boolean opened(String path, Channel stream);
    }

    private final Streams streams;

    H2StreamRequest(Streams streams) {
        this.streams = streams;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Http2HeadersFrame request)) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        CharSequence path = request.headers().path();
        if (path == null
                || request.isEndStream()
                || !"POST".contentEquals(request.headers().method())) {
            notFound(ctx);
            return;
        }
        Channel stream = ctx.channel();
        ctx.pipeline().replace(this, "bytes", new H2Bytes());
        // The answer's HEADERS go first: what the link writes next on the stream is DATA.
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
        if (!streams.opened(path.toString(), stream)) {
            stream.close();
        }
    }

    private static void notFound(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("404"), true))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
