package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.SocketAddress;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;

/** A tunnel link on QUIC: streams both ways, UDP as DATAGRAM frames (unreliable, so a loss stalls nothing). */
final class QuicCarrier extends Carrier {

    private final QuicChannel quic;

    QuicCarrier(QuicChannel quic) {
        this.quic = quic;
    }

    @Override
    String label() {
        return "quic";
    }

    @Override
    Channel channel() {
        return quic;
    }

    @Override
    SocketAddress peerAddress() {
        return quic.remoteSocketAddress();
    }

    @Override
    SSLEngine tls() {
        return quic.sslEngine();
    }

    @Override
    int maxDatagram() {
        return QuicSetup.MAX_UDP_PAYLOAD;
    }

    @Override
    boolean writeDatagram(ByteBuf datagram) {
        quic.write(datagram, quic.voidPromise());
        return true;
    }

    @Override
    void flush() {
        quic.flush();
    }

    @Override
    Future<Channel> openStream(EventLoop on, Consumer<ControlMessage> control) {
        Promise<Channel> promise = on.newPromise();
        quic.newStreamBootstrap()
                .type(QuicStreamType.BIDIRECTIONAL)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        stream.pipeline().addLast(AbortOnClose.INSTANCE, new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (!(evt instanceof ChannelInputShutdownReadComplete)) {
                                    ctx.fireUserEventTriggered(evt);
                                }
                            }
                        });
                    }
                })
                .create()
                .addListener(f -> pass(f, promise));
        return promise;
    }

    @Override
    Future<Channel> openClientStream(String path, Consumer<Channel> install) {
        Promise<Channel> promise = quic.eventLoop().newPromise();
        quic.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        stream.pipeline().addFirst(AbortOnClose.INSTANCE);
                        install.accept(stream);
                    }
                })
                .addListener(f -> pass(f, promise));
        return promise;
    }

    /** Completes {@code promise} as the stream's creation ended. */
    private static void pass(Future<?> created, Promise<Channel> promise) {
        if (created.isSuccess()) {
            promise.trySuccess((Channel) created.getNow());
        } else {
            promise.tryFailure(created.cause());
        }
    }

    @Override
    void refreshStats() {
        stats.refresh(quic);
    }
}
