package dev.portgate.http;

import dev.portgate.forward.HostName;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** The handlers a connection to the shared ports starts with: plain HTTP/1.1, or the TLS server-name router. */
final class FrontPipelines {

    /** Request heads (line and headers) larger than this are answered 431 or 414. */
    static final int MAX_HEADER = 16 * 1024;
    /** A connection with no request in progress is closed after this long without traffic, as nginx does. */
    static final long KEEP_ALIVE_SECONDS = 75;

    private FrontPipelines() {}

    static ChannelHandler plain(Front front) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                http1(ch.pipeline(), front, false, null);
            }
        };
    }

    static ChannelHandler secure(Front front, SiteCertificates certs) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("sni", new SniRouter(front, certs));
                ch.read();
            }
        };
    }

    static void http1(ChannelPipeline p, Front front, boolean secure, HostName serverName) {
        HttpExchange exchange = new HttpExchange(front, secure, serverName, false);
        p.addLast("idle", new IdleStateHandler(0, 0, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS))
                .addLast("head-bytes", new HeadBytes(exchange))
                .addLast(new HttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(8192)
                        .setMaxHeaderSize(MAX_HEADER)
                        .setMaxChunkSize(64 * 1024)))
                .addLast(exchange);
    }
}
