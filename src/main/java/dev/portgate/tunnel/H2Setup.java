package dev.portgate.tunnel;

import dev.portgate.net.TlsContexts;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/**
 * The TCP fallback's settings both ends share: TLS 1.3 with ALPN "h2" (to a middlebox it is HTTPS), HTTP/2 windows
 * as large as QUIC's so one flow is not held back by the default 64 KiB, and the same idle time as QUIC.
 */
final class H2Setup {

    private static final int STREAM_WINDOW = 4 * 1024 * 1024;
    private static final int CONNECTION_WINDOW = 64 * 1024 * 1024;
    /** HTTP/2's initial connection window, which only a WINDOW_UPDATE can enlarge. */
    private static final int DEFAULT_WINDOW = 65_535;

    private H2Setup() {}

    private static ApplicationProtocolConfig alpn() {
        return new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                ApplicationProtocolNames.HTTP_2);
    }

    static SslContext serverSsl(KeyManagerFactory keys) throws SSLException {
        return SslContextBuilder.forServer(keys)
                .sslProvider(TlsContexts.provider())
                .protocols("TLSv1.3")
                .clientAuth(ClientAuth.OPTIONAL)
                .trustManager(ClientCertificateTrust.anyPresented())
                .applicationProtocolConfig(alpn())
                .build();
    }

    static SslContext clientSsl(TrustManager trust, boolean checkHostName, KeyManagerFactory certificate)
            throws SSLException {
        SslContextBuilder b = SslContextBuilder.forClient();
        if (certificate != null) {
            b.keyManager(certificate);
        }
        return b.sslProvider(TlsContexts.provider())
                .trustManager(trust)
                .protocols("TLSv1.3")
                .applicationProtocolConfig(alpn())
                // A pinned certificate is checked by its fingerprint alone; a CA-signed one by its chain and name.
                .endpointIdentificationAlgorithm(checkHostName ? "HTTPS" : null)
                .build();
    }

    static Http2FrameCodec codec(boolean server) {
        Http2Settings settings =
                Http2Settings.defaultSettings().initialWindowSize(STREAM_WINDOW).maxConcurrentStreams(100_000);
        if (!server) {
            settings.pushEnabled(false);
        }
        return (server ? Http2FrameCodecBuilder.forServer() : Http2FrameCodecBuilder.forClient())
                .initialSettings(settings)
                .autoAckPingFrame(true)
                .build();
    }

    /**
     * Closes a connection that has read nothing for QUIC's idle time (the client's pings keep a live one busy). It
     * goes before TLS: behind the HTTP/2 multiplexer it would see no reads at all, and close a busy connection.
     */
    static ChannelHandler idle() {
        return new IdleStateHandler(QuicSetup.IDLE_SECONDS, 0, 0, TimeUnit.SECONDS) {
            @Override
            protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
                ctx.close();
            }
        };
    }

    /** The last handler of a fallback connection: closes it when broken. */
    static ChannelHandler closer() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        };
    }

    /**
     * After the TLS handshake: true when the peer chose HTTP/2 (anything else is not a portgate tunnel), and the
     * connection's window is then opened up as QUIC's is.
     */
    static boolean ready(Channel ch) {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        if (ssl == null || !ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
            return false;
        }
        ch.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - DEFAULT_WINDOW));
        return true;
    }
}
