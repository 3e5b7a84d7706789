package dev.portgate.igd;

import dev.portgate.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends one GENA NOTIFY on a connection of its own and closes it whatever the callback does: answers
 * garbage, answers nothing, drips one byte a second, resets or answers 200. The whole exchange has
 * one deadline, so a subscriber can hold a descriptor of ours for at most that long.
 */
final class EventDelivery {

    static final Duration DEADLINE = Duration.ofSeconds(5);

    private final Transport transport;

    EventDelivery(Transport transport) {
        this.transport = transport;
    }

    /** Completes with true when the callback answered 2xx, false on anything else; never exceptionally. */
    CompletableFuture<Boolean> send(URI callback, Map<String, String> headers, String body) {
        CompletableFuture<Boolean> delivered = new CompletableFuture<>();
        int port = callback.getPort() < 0 ? 80 : callback.getPort();
        String path = callback.getRawPath() == null || callback.getRawPath().isEmpty() ? "/" : callback.getRawPath();
        if (callback.getRawQuery() != null) {
            path += "?" + callback.getRawQuery();
        }
        FullHttpRequest request = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.valueOf("NOTIFY"),
                path,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        request.headers().set(HttpHeaderNames.HOST, callback.getRawAuthority());
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, request.content().readableBytes());
        headers.forEach((k, v) -> request.headers().set(k, v));
        ChannelFuture connect = new Bootstrap()
                .group(transport.group())
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) DEADLINE.toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(1024, 4096, 1024), new Answer(delivered));
                    }
                })
                .connect(callback.getHost().replace("[", "").replace("]", ""), port);
        Channel ch = connect.channel();
        // Whatever happens, the connection ends by the deadline and the result is known when it does.
        ScheduledFuture<?> deadline =
                ch.eventLoop().schedule(() -> ch.close(), DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        ch.closeFuture().addListener(f -> {
            deadline.cancel(false);
            delivered.complete(false);
        });
        connect.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                f.channel().writeAndFlush(request).addListener((ChannelFuture w) -> {
                    if (!w.isSuccess()) {
                        w.channel().close();
                    }
                });
            } else {
                request.release();
                f.channel().close();
            }
        });
        return delivered;
    }

    /** Reads the status line, then closes: nothing else the callback sends matters. */
    private static final class Answer extends SimpleChannelInboundHandler<HttpObject> {

        private final CompletableFuture<Boolean> delivered;

        Answer(CompletableFuture<Boolean> delivered) {
            this.delivered = delivered;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            boolean ok = msg.decoderResult().isSuccess()
                    && msg instanceof HttpResponse r
                    && r.status().codeClass().equals(HttpStatusClass.SUCCESS);
            delivered.complete(ok);
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
