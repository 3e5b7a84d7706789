package dev.portgate.tunnel;

import dev.portgate.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.handler.codec.quic.EpollQuicUtils;
import io.netty.handler.codec.quic.QuicChannelOption;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.SegmentedDatagramPacketAllocator;
import io.netty.handler.ssl.ClientAuth;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;

/** The QUIC settings both ends of a portgate tunnel share: ALPN, windows, datagrams, idle time. */
final class QuicSetup {

    static final String ALPN = "portgate-tunnel/1";
    /** A link with no packet for this long is dead; the client's pings keep a live one well inside it. */
    static final long IDLE_SECONDS = 30;
    /** Per-stream window: enough for a fast single flow at tens of milliseconds of RTT. */
    private static final long STREAM_WINDOW = 4L * 1024 * 1024;

    private static final long CONNECTION_WINDOW = 64L * 1024 * 1024;
    /** Datagrams queued inside quiche each way before the newest are dropped (UDP may drop; it must not stall). */
    private static final int DATAGRAM_QUEUE = 4096;
    /**
     * The largest UDP payload a QUIC packet may use: what a 1,500-byte Ethernet path carries over IPv6 (1,452), so a
     * game's 1,200-byte datagram fits in one packet with QUIC's overhead. Path MTU discovery starts at QUIC's 1,200
     * and climbs only as far as the path lets it.
     */
    static final int MAX_UDP_PAYLOAD = 1452;

    /**
     * The kernel's receive queue for the tunnel's UDP socket. Where the receiving JVM is the slower end, QUIC's
     * congestion control sees no loss until this queue is full, so its size is the delay every datagram behind a bulk
     * transfer waits. Measured with iperf3 and a UDP ping through one tunnel (bench/tunnel.sh): 4 MiB gave a loaded
     * p99 of 50 ms, 1 MiB 19-27 ms at the same throughput, 512 KiB less throughput.
     */
    private static final int RECEIVE_BUFFER = 1024 * 1024;

    /** Room for a datagram of either end's largest QUIC packet, with slack for a peer that sends a little more. */
    private static final int DATAGRAM_SLOT = 1500;
    /**
     * Datagrams one receive system call may bring (recvmmsg). Measured against one per call: about 15 % more TCP
     * throughput through the tunnel once warm; UDP GRO instead (one call per coalesced burst) measured 40 % less.
     */
    private static final int DATAGRAMS_PER_READ = 32;

    private QuicSetup() {}

    /**
     * The tunnel's UDP socket: kernel buffers big enough for a burst while the loop is busy, not so big that they
     * become a standing queue; on epoll, reads of up to {@value #DATAGRAMS_PER_READ} datagrams per system call.
     */
    static Bootstrap udpSocket(Bootstrap b, Transport transport) {
        b.channel(transport.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER)
                .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024);
        if (transport.isEpoll()) {
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, DATAGRAM_SLOT)
                    .option(
                            ChannelOption.RCVBUF_ALLOCATOR,
                            new FixedRecvByteBufAllocator(DATAGRAM_SLOT * DATAGRAMS_PER_READ));
        }
        return b;
    }

    static QuicSslContext serverSsl(KeyManagerFactory keys) {
        return QuicSslContextBuilder.forServer(keys, null)
                .applicationProtocols(ALPN)
                // A client may show a certificate; its fingerprint, not a CA, says who it is.
                .clientAuth(ClientAuth.OPTIONAL)
                .trustManager(ClientCertificateTrust.anyPresented())
                .build();
    }

    /** {@code certificate}: the client's own certificate and key, or null. */
    static QuicSslContext clientSsl(TrustManager trust, boolean checkHostName, KeyManagerFactory certificate) {
        QuicSslContextBuilder b =
                QuicSslContextBuilder.forClient().trustManager(trust).applicationProtocols(ALPN);
        if (certificate != null) {
            b.keyManager(certificate, null);
        }
        // A pinned certificate is checked by its fingerprint alone; a CA-signed one by its chain and name.
        b.endpointIdentificationAlgorithm(checkHostName ? "HTTPS" : null);
        return b.build();
    }

    static ChannelHandler server(QuicSslContext ssl, ChannelHandler connection, ChannelHandler streams) {
        return new QuicServerCodecBuilder()
                .maxSendUdpPayloadSize(MAX_UDP_PAYLOAD)
                .maxRecvUdpPayloadSize(MAX_UDP_PAYLOAD)
                .discoverPmtu(true)
                .sslContext(ssl)
                .maxIdleTimeout(IDLE_SECONDS, TimeUnit.SECONDS)
                .initialMaxData(CONNECTION_WINDOW)
                .initialMaxStreamDataBidirectionalLocal(STREAM_WINDOW)
                .initialMaxStreamDataBidirectionalRemote(STREAM_WINDOW)
                .initialMaxStreamsBidirectional(100_000)
                .initialMaxStreamsUnidirectional(16)
                .datagram(DATAGRAM_QUEUE, DATAGRAM_QUEUE)
                .activeMigration(true)
                .tokenHandler(NoRetry.INSTANCE)
                .option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, segments())
                .handler(connection)
                .streamHandler(streams)
                .build();
    }

    /**
     * GSO where epoll has it: one system call sends up to 16 packets of a burst (the profile showed the kernel's
     * per-packet send as the largest cost); elsewhere one packet per call.
     */
    static SegmentedDatagramPacketAllocator segments() {
        return EpollQuicUtils.newSegmentedAllocator(16);
    }

    static ChannelHandler client(QuicSslContext ssl, String host, int port) {
        return new QuicClientCodecBuilder()
                .maxSendUdpPayloadSize(MAX_UDP_PAYLOAD)
                .maxRecvUdpPayloadSize(MAX_UDP_PAYLOAD)
                .discoverPmtu(true)
                .sslEngineProvider(q -> ssl.newEngine(q.alloc(), host, port))
                .maxIdleTimeout(IDLE_SECONDS, TimeUnit.SECONDS)
                .initialMaxData(CONNECTION_WINDOW)
                .initialMaxStreamDataBidirectionalLocal(STREAM_WINDOW)
                .initialMaxStreamDataBidirectionalRemote(STREAM_WINDOW)
                .initialMaxStreamsBidirectional(100_000)
                .initialMaxStreamsUnidirectional(16)
                .datagram(DATAGRAM_QUEUE, DATAGRAM_QUEUE)
                .activeMigration(true)
                .build();
    }
}
