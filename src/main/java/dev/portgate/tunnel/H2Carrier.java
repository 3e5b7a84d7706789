package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;

/**
 * A tunnel link on the TCP fallback: TLS 1.3 on TCP, HTTP/2 streams as the multiplexer. The client opens every
 * stream (HTTP/2 lets only the client start one): the control stream first, then one that carries the UDP
 * datagrams as length-prefixed messages (reliable and in order, so a loss on the path delays every flow behind
 * it: the fallback's cost), and for each TCP arrival a stream the server asks for on the control stream.
 */
final class H2Carrier extends Carrier {

    static final String CONTROL = "/control";
    static final String DATAGRAMS = "/datagrams";
    static final String ARRIVAL = "/arrival/";
    static final String OPEN = "/open";
    /** The client has this long to open the stream the server asked for; then the arrival is refused. */
    private static final long DIAL_SECONDS = 10;
    /** A datagram's message on the fallback: the largest UDP payload with the tunnel's header. */
    private static final int MAX_DATAGRAM = 65_535 + 64;

    private final Channel tcp;
    private final String authority;
    private final Bytes bytes;
    private Channel datagrams;
    private final Map<Integer, Promise<Channel>> dials = new HashMap<>();
    private int nextTicket = 1;

    H2Carrier(Channel tcp, String authority, Bytes bytes) {
        this.tcp = tcp;
        this.authority = authority;
        this.bytes = bytes;
    }

    @Override
    String label() {
        return "tcp";
    }

    @Override
    Channel channel() {
        return tcp;
    }

    @Override
    SocketAddress peerAddress() {
        return tcp.remoteAddress();
    }

    @Override
    SSLEngine tls() {
        SslHandler ssl = tcp.pipeline().get(SslHandler.class);
        return ssl == null ? null : ssl.engine();
    }

    @Override
    int maxDatagram() {
        return MAX_DATAGRAM;
    }

    /** The stream the datagrams go on, once it is open. */
    void datagrams(Channel stream) {
        this.datagrams = stream;
    }

    @Override
    boolean writeDatagram(ByteBuf datagram) {
        Channel d = datagrams;
        // A full window drops the datagram rather than queueing without bound: it is UDP.
        if (d == null || !d.isWritable()) {
            datagram.release();
            return false;
        }
        d.write(datagram, d.voidPromise());
        return true;
    }

    @Override
    void flush() {
        Channel d = datagrams;
        if (d != null) {
            d.flush();
        }
    }

    @Override
    Future<Channel> openStream(EventLoop on, Consumer<ControlMessage> control) {
        Promise<Channel> promise = on.newPromise();
        tcp.eventLoop().execute(() -> {
            int ticket = nextTicket++;
            dials.put(ticket, promise);
            ScheduledFuture<?> timeout = tcp.eventLoop()
                    .schedule(
                            () -> {
                                if (dials.remove(ticket) != null) {
                                    promise.tryFailure(new IllegalStateException("the tunnel client opened no stream"
                                            + " for the arrival within " + DIAL_SECONDS + " s"));
                                }
                            },
                            DIAL_SECONDS,
                            TimeUnit.SECONDS);
            promise.addListener(f -> timeout.cancel(false));
            control.accept(new ControlMessage.Dial(ticket));
        });
        return promise;
    }

    /** Server side: the client opened the stream for {@code ticket}; false when no arrival waits for it. */
    boolean dialed(int ticket, Channel stream) {
        Promise<Channel> p = dials.remove(ticket);
        return p != null && p.trySuccess(stream);
    }

    @Override
    Future<Channel> openClientStream(String path, Consumer<Channel> install) {
        Promise<Channel> promise = tcp.eventLoop().newPromise();
        new Http2StreamChannelBootstrap(tcp)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline().addLast(new H2Bytes());
                        install.accept(stream);
                    }
                })
                .open()
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        promise.tryFailure(f.cause());
                        return;
                    }
                    Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
                    stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                            .method("POST")
                            .scheme("https")
                            .authority(authority)
                            .path(path)));
                    promise.trySuccess(stream);
                });
        return promise;
    }

    @Override
    void refreshStats() {
        if (tcp instanceof EpollSocketChannel e && e.isActive()) {
            stats.rttMicros = e.tcpInfo().rtt();
        }
        stats.sentBytes = bytes.sent();
        stats.recvBytes = bytes.received();
    }

    /** Counts the bytes on the wire (TLS included), as QUIC's own statistics do. */
    interface Bytes {
        long sent();

        long received();
    }
}
