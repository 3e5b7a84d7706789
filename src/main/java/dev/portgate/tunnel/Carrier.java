package dev.portgate.tunnel;

import dev.portgate.forward.Addresses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What carries one tunnel link: a QUIC connection, or HTTP/2 over TLS on TCP where UDP does not get through. Both
 * ends of the link talk to this, never to the transport, so the control stream, the TCP arrivals and the UDP flows
 * are the same code over either.
 */
abstract sealed class Carrier permits QuicCarrier, H2Carrier {

    private static final Logger log = LoggerFactory.getLogger(Carrier.class);

    final PathStats stats = new PathStats();
    private long dropped;
    /** Names the link in the log ("client "home" from …", "tunnel-endpoint "vps""). */
    private volatile String who = "tunnel";

    /** "quic" or "tcp", as the consoles and the log say it. */
    abstract String label();

    /** The connection: its loop, allocator, peer address and end. */
    abstract Channel channel();

    /** The peer's UDP or TCP address (a QUIC connection's may change: migration). */
    abstract SocketAddress peerAddress();

    /** The TLS session: the client's certificate, if it showed one, is in it. */
    abstract SSLEngine tls();

    /** SHA-256 of the certificate the peer showed (hex), or null when it showed none. */
    final String peerFingerprint() {
        SSLEngine e = tls();
        if (e == null) {
            return null;
        }
        try {
            Certificate[] chain = e.getSession().getPeerCertificates();
            return chain.length == 0 ? null : ServerTrust.fingerprint(chain[0]);
        } catch (SSLPeerUnverifiedException none) {
            return null;
        } catch (GeneralSecurityException bad) {
            return null;
        }
    }

    /** The largest datagram, tunnel header included, this carrier takes. */
    abstract int maxDatagram();

    /** Writes one datagram of a size already checked, taking it; false (released) when it had to drop it. */
    abstract boolean writeDatagram(ByteBuf datagram);

    abstract void flush();

    /**
     * Server side: a new stream to the client for one TCP arrival, not reading yet. {@code control} says things
     * on the control stream, for a carrier whose client must open the stream itself.
     */
    abstract Future<Channel> openStream(EventLoop on, Consumer<ControlMessage> control);

    /**
     * Client side: opens a stream of its own, {@code install} adding the handlers that read it; {@code path} says
     * what it is for where the transport needs saying (HTTP/2: one of {@link H2Carrier}'s paths).
     */
    abstract Future<Channel> openClientStream(String path, Consumer<Channel> install);

    /** Refreshes {@link #stats} (on the loop). */
    abstract void refreshStats();

    void who(String name) {
        this.who = name;
    }

    /** Sends one datagram, taking it; false when it is too large for this carrier or the link is gone. */
    final boolean sendDatagram(ByteBuf datagram) {
        if (!isActive() || datagram.readableBytes() > maxDatagram()) {
            datagram.release();
            if (isActive() && dropped++ % 1000 == 0) {
                log.info(
                        "{}: a datagram larger than a {} link carries ({} bytes) was dropped (said every 1000)",
                        who,
                        label(),
                        maxDatagram());
            }
            return false;
        }
        return writeDatagram(datagram);
    }

    final boolean isActive() {
        return channel().isActive();
    }

    final EventLoop loop() {
        return channel().eventLoop();
    }

    final ByteBufAllocator alloc() {
        return channel().alloc();
    }

    final void close() {
        channel().close();
    }

    /** The peer's address as host:port, "?" before it is known. */
    final String peer() {
        return peerAddress() instanceof InetSocketAddress a ? Addresses.format(a) : "?";
    }

    final String peerHost() {
        return peerAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "?";
    }
}
