package dev.portgate.tunnel;

import dev.portgate.forward.Addresses;
import dev.portgate.net.KeyStores;
import dev.portgate.net.Transport;
import dev.portgate.policy.LoginThrottle;
import dev.portgate.rules.Actor;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * portgate's tunnel server: takes tunnel clients on QUIC (UDP), checks their tokens, and lets each open the
 * public ports its {@code permit-listen} allows ({@link TunnelSessions}). One event loop carries every client's
 * connection, its public sockets and its flows, so no datagram or byte crosses a thread.
 */
public final class TunnelHub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TunnelHub.class);

    private final Transport transport;
    private final Path data;
    private final LoginThrottle throttle;
    private final TunnelSessions sessions;
    private final EventLoop loop;
    private volatile TunnelServerConfig config;
    private Channel channel;
    private String fingerprint;

    public TunnelHub(
            TunnelServerConfig config,
            Transport transport,
            Path data,
            LoginThrottle throttle,
            TunnelSessions sessions) {
        this.config = config;
        this.transport = transport;
        this.data = data;
        this.throttle = throttle;
        this.sessions = sessions;
        this.loop = transport.group().next();
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
        QuicSslContext ssl = QuicSetup.serverSsl(keys);
        ChannelHandler codec = QuicSetup.server(
                ssl,
                new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        ch.pipeline().addLast(new ClientLink(TunnelHub.this));
                    }
                },
                new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        ClientLink link = stream.parent().pipeline().get(ClientLink.class);
                        if (link == null) {
                            stream.close();
                        } else {
                            link.streamOpened(stream);
                        }
                    }
                });
        InetSocketAddress address = new InetSocketAddress(
                config.listen().address(), config.listen().ports().first());
        try {
            channel = new Bootstrap()
                    .group(loop)
                    .channel(transport.datagramChannel())
                    .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                    .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                    .handler(codec)
                    .bind(address)
                    .sync()
                    .channel();
        } catch (Exception e) {
            throw new IOException(
                    "tunnel-server: cannot listen on udp " + Addresses.format(address) + ": " + e.getMessage(), e);
        }
        loop.scheduleAtFixedRate(() -> sessions.links().forEach(ClientLink::refreshStats), 1, 1, TimeUnit.SECONDS);
        log.info(
                "tunnel server on udp {} ({} client{}), certificate sha256:{}",
                Addresses.format((InetSocketAddress) channel.localAddress()),
                config.clients().size(),
                config.clients().size() == 1 ? "" : "s",
                fingerprint);
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
            if (c != null && (now.isEmpty() || !now.get().tokenHash().equals(c.tokenHash()))) {
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
        Optional<TunnelServerConfig.Client> client = config.clients().stream()
                .filter(c -> TunnelTokens.matches(h.token(), c.tokenHash()))
                .findFirst();
        if (client.isEmpty()) {
            throttle.failed(source);
            sessions.audit().record(actor, "tunnel.refused", h.client(), "wrong token, from " + link.source());
            log.info("tunnel: \"{}\" from {} refused: wrong token", h.client(), link.source());
            link.refuse("wrong token");
            return;
        }
        throttle.succeeded(source);
        String session = sessions.add(link);
        link.welcome(client.get(), session);
        String name = client.get().name();
        sessions.audit()
                .record(
                        new Actor("tunnel " + name, source),
                        "tunnel.connected",
                        name,
                        "from " + link.source() + " over quic");
        log.info("tunnel: client \"{}\" connected from {} over quic", name, link.source());
    }

    TunnelSessions sessions() {
        return sessions;
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
    }
}
