package dev.portgate.tunnel;

import dev.portgate.forward.Addresses;
import dev.portgate.net.Errors;
import dev.portgate.net.KeyStores;
import dev.portgate.net.Transport;
import dev.portgate.policy.LoginThrottle;
import dev.portgate.rules.Actor;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * portgate's tunnel server: takes tunnel clients on QUIC (UDP) and on its TCP fallback, checks their tokens, and lets each open the
 * public ports its {@code permit-listen} allows ({@link TunnelSessions}). One event loop carries every client's
 * connection, its public sockets and its flows, so no datagram or byte crosses a thread.
 */
public final class TunnelHub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TunnelHub.class);

    private final Transport transport;
    private final Path data;
    private final LoginThrottle throttle;
    private final TunnelSessions sessions;
    private final TunnelOpens opens;
    private final EventLoop loop;
    private volatile TunnelServerConfig config;
    /** How long a client's earlier connection has to answer a ping before a new one replaces it. */
    private static final Duration PROBE = Duration.ofSeconds(2);

    private static final AttributeKey<ClientLink> LINK = AttributeKey.valueOf("portgate.tunnel.link");

    private Channel channel;
    private Channel fallback;
    private String fingerprint;

    public TunnelHub(
            TunnelServerConfig config,
            Transport transport,
            Path data,
            LoginThrottle throttle,
            TunnelSessions sessions,
            TunnelOpens opens) {
        this.config = config;
        this.transport = transport;
        this.data = data;
        this.throttle = throttle;
        this.sessions = sessions;
        this.opens = opens;
        this.loop = transport.tunnelLoop();
    }

    public void start() throws IOException {
        KeyStores.KeyStoreFile store = config.keyStore() != null
                ? new KeyStores.KeyStoreFile(config.keyStore(), config.keyStorePassword())
                : KeyStores.selfSigned(
                        data.resolve("tunnel.p12"),
                        "portgate tunnel",
                        config.listen().isWildcard()
                                ? "localhost"
                                : config.listen().host());
        KeyManagerFactory keys;
        try {
            KeyStore ks = KeyStores.load(store);
            fingerprint = ServerTrust.fingerprint(ks.getCertificate(ks.aliases().nextElement()));
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(ks, store.password().toCharArray());
        } catch (GeneralSecurityException e) {
            throw new IOException("tunnel-server: cannot use the key store " + store.path() + ": " + e.getMessage(), e);
        }
        InetSocketAddress address = new InetSocketAddress(
                config.listen().address(), config.listen().ports().first());
        startQuic(QuicSetup.serverSsl(keys), address);
        startFallback(keys, address);
        loop.scheduleAtFixedRate(() -> sessions.links().forEach(ClientLink::refreshStats), 1, 1, TimeUnit.SECONDS);
        log.info(
                "{} on udp {} and tcp {} ({} client{}), certificate sha256:{}",
                sessions.kind().server,
                Addresses.format((InetSocketAddress) channel.localAddress()),
                Addresses.format((InetSocketAddress) fallback.localAddress()),
                config.clients().size(),
                config.clients().size() == 1 ? "" : "s",
                fingerprint);
    }

    private void startQuic(QuicSslContext ssl, InetSocketAddress address) throws IOException {
        ChannelHandler codec = QuicSetup.server(
                ssl,
                new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        ClientLink link = new ClientLink(TunnelHub.this, new QuicCarrier(ch));
                        ch.attr(LINK).set(link);
                        ch.pipeline().addLast(new DatagramIn(link::datagram), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                link.start();
                                ctx.fireChannelActive();
                            }
                        });
                    }
                },
                new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        stream.pipeline().addFirst(AbortOnClose.INSTANCE);
                        // The client's first stream is its control stream; each later one asks for a connection.
                        ClientLink link = stream.parent().attr(LINK).get();
                        if (link == null
                                || stream.type() != QuicStreamType.BIDIRECTIONAL
                                || !(link.controlOpened(stream) || link.openRequested(stream))) {
                            stream.close();
                        }
                    }
                });
        try {
            channel = QuicSetup.udpSocket(new Bootstrap().group(loop), transport)
                    .handler(codec)
                    .bind(address)
                    .sync()
                    .channel();
        } catch (Exception e) {
            throw new IOException(
                    "tunnel-server: cannot listen on udp " + Addresses.format(address) + ": " + e.getMessage(), e);
        }
    }

    /** The TCP fallback on the same port number: TLS 1.3, then HTTP/2 streams opened by the client. */
    private void startFallback(KeyManagerFactory keys, InetSocketAddress address) throws IOException {
        SslContext ssl;
        try {
            ssl = H2Setup.serverSsl(keys);
        } catch (SSLException e) {
            throw new IOException("tunnel-server: cannot set up TLS for the TCP fallback: " + e.getMessage(), e);
        }
        try {
            fallback = new ServerBootstrap()
                    .group(loop, transport.group())
                    .channel(transport.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            WireBytes bytes = new WireBytes();
                            ClientLink link = new ClientLink(TunnelHub.this, new H2Carrier(ch, "", bytes));
                            SslHandler tls = ssl.newHandler(ch.alloc());
                            ch.pipeline()
                                    .addLast(
                                            bytes,
                                            H2Setup.idle(),
                                            tls,
                                            H2Setup.codec(true),
                                            new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                                @Override
                                                protected void initChannel(Http2StreamChannel stream) {
                                                    stream.pipeline().addLast(new H2StreamRequest(link::h2Stream));
                                                }
                                            }),
                                            H2Setup.closer());
                            link.start();
                            tls.handshakeFuture().addListener(f -> {
                                if (!f.isSuccess() || !H2Setup.ready(ch)) {
                                    log.debug(
                                            "tunnel: a TCP connection from {} is not a tunnel client: {}",
                                            link.source(),
                                            f.isSuccess() ? "it did not choose HTTP/2" : Errors.reason(f.cause()));
                                    ch.close();
                                }
                            });
                        }
                    })
                    .bind(address)
                    .sync()
                    .channel();
        } catch (Exception e) {
            throw new IOException(
                    "tunnel-server: cannot listen on tcp " + Addresses.format(address) + " (the TCP fallback): "
                            + e.getMessage(),
                    e);
        }
    }

    /** Takes new clients and permits at once (for new requests); a new address or certificate needs a restart. */
    public void update(TunnelServerConfig next) {
        if (!next.listen().equals(config.listen()) || !Objects.equals(next.keyStore(), config.keyStore())) {
            log.warn("tunnel-server: listen or key-store changed — restart portgate to apply it");
        }
        this.config = next;
        // A client no longer listed, or with another token, is disconnected.
        for (ClientLink link : sessions.links()) {
            TunnelServerConfig.Client c = link.client();
            Optional<TunnelServerConfig.Client> now = c == null ? Optional.empty() : next.client(c.name());
            if (c != null
                    && (now.isEmpty()
                            || !Objects.equals(now.get().tokenHash(), c.tokenHash())
                            || !now.get().certificates().equals(c.certificates()))) {
                log.info("tunnel: client \"{}\" is no longer configured as it was: disconnecting it", c.name());
                link.close();
            }
        }
    }

    /** Checks a hello (off the QUIC loop: it writes the audit log); a bad token is throttled per source as SSH logins are. */
    void hello(ClientLink link, ControlMessage.Hello h) {
        String source = link.sourceHost();
        Actor actor = new Actor("tunnel " + h.client(), source);
        if (throttle.lockedFor(source).isPresent()) {
            link.refuse("too many failed logins from " + source + "; try again later");
            return;
        }
        if (h.version() != ControlMessage.VERSION) {
            link.refuse("this server speaks tunnel protocol " + ControlMessage.VERSION + ", not " + h.version());
            return;
        }
        // The token says who the client is; the name it gives is only for the log.
        String certificate = link.certificate();
        Optional<TunnelServerConfig.Client> client = config.clients().stream()
                .filter(c -> c.knows(certificate, h.token()))
                .findFirst();
        if (client.isEmpty()) {
            throttle.failed(source);
            String why = certificate == null
                    ? "wrong token"
                    : "wrong token, and an unknown certificate sha256:" + certificate;
            sessions.audit().record(actor, "tunnel.refused", h.client(), why + ", from " + link.source());
            log.info("tunnel: \"{}\" from {} refused: {}", h.client(), link.source(), why);
            link.refuse(why);
            return;
        }
        throttle.succeeded(source);
        TunnelServerConfig.Client known = client.get();
        Optional<ClientLink> earlier = sessions.links().stream()
                .filter(old -> old != link
                        && old.client() != null
                        && old.client().name().equals(known.name()))
                .findFirst();
        if (earlier.isEmpty()) {
            admit(link, known);
            return;
        }
        // The client is connected already. If that connection still answers, this is a second client with the same
        // credentials and is refused; if not, the client came back (a crash, a new address) and its old session is
        // replaced at once rather than holding its ports until QUIC's idle time ends it.
        ClientLink old = earlier.get();
        old.alive(PROBE)
                .addListener(f -> sessions.run(() -> {
                    if (Boolean.TRUE.equals(f.getNow())) {
                        String why = "client \"" + known.name() + "\" is connected already from " + old.source()
                                + " (two clients with the same credentials?)";
                        sessions.audit().record(actor, "tunnel.refused", known.name(), why + ", from " + link.source());
                        log.info("tunnel: {} from {} refused: {}", known.name(), link.source(), why);
                        link.refuse(why);
                        return;
                    }
                    log.info(
                            "tunnel: client \"{}\" connected again from {}: its session from {} did not answer and ends",
                            known.name(),
                            link.source(),
                            old.source());
                    sessions.end(old);
                    old.close();
                    admit(link, known);
                }));
    }

    /** On the session thread: the client is in. */
    private void admit(ClientLink link, TunnelServerConfig.Client client) {
        if (!link.isActive()) {
            return;
        }
        String session = sessions.add(link);
        link.welcome(client, session);
        String name = client.name();
        sessions.audit()
                .record(
                        new Actor("tunnel " + name, link.sourceHost()),
                        "tunnel.connected",
                        name,
                        "from " + link.source() + " over " + link.transport());
        log.info("tunnel: client \"{}\" connected from {} over {}", name, link.source(), link.transport());
    }

    TunnelSessions sessions() {
        return sessions;
    }

    TunnelOpens opens() {
        return opens;
    }

    public int port() {
        return channel == null ? -1 : ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** SHA-256 of the server's certificate, as clients pin it. */
    public String fingerprint() {
        return fingerprint;
    }

    public List<TunnelClientView> clients() {
        return sessions.links().stream().map(ClientLink::view).toList();
    }

    @Override
    public void close() {
        if (channel != null) {
            for (ClientLink link : sessions.links()) {
                link.close();
            }
            channel.close().syncUninterruptibly();
        }
        if (fallback != null) {
            fallback.close().syncUninterruptibly();
        }
    }
}
