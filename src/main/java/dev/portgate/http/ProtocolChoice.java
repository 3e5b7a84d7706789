package dev.portgate.http;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.HostName;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** After the TLS handshake: HTTP/2 if the client chose it by ALPN, HTTP/1.1 otherwise. */
final class ProtocolChoice extends ApplicationProtocolNegotiationHandler {

    private static final Logger log = LoggerFactory.getLogger(ProtocolChoice.class);
    /** Streams one client may have open at once. */
    private static final int MAX_STREAMS = 128;

    private final Front front;
    private final HostName serverName;

    ProtocolChoice(Front front, HostName serverName) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.front = front;
        this.serverName = serverName;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            ctx.pipeline()
                    .addLast(Http2FrameCodecBuilder.forServer()
                            .initialSettings(Http2Settings.defaultSettings()
                                    .maxConcurrentStreams(MAX_STREAMS)
                                    .maxHeaderListSize(FrontPipelines.MAX_HEADER))
                            .build())
                    .addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                        @Override
                        protected void initChannel(Http2StreamChannel ch) {
                            ch.config().setAutoRead(false);
                            ch.pipeline()
                                    .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                                    .addLast(new HttpExchange(front, true, serverName, true));
                        }
                    }));
            // Each stream reads at its own pace under HTTP/2's flow control; the connection itself always reads.
            ctx.channel().config().setAutoRead(true);
        } else {
            FrontPipelines.http1(ctx.pipeline(), front, true, serverName);
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        log.debug(
                "https {}: TLS handshake failed: {}",
                Addresses.format(ctx.channel().remoteAddress()),
                cause.toString());
        ctx.close();
    }
}
