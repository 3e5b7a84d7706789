package dev.portgate.tunnel;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.RemoteForward;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Connection;
import dev.portgate.net.DialRefused;
import dev.portgate.net.Dialer;
import dev.portgate.net.Errors;
import dev.portgate.net.ForwardStats;
import dev.portgate.net.ProxyHeader;
import dev.portgate.net.Relay;
import dev.portgate.net.Sources;
import dev.portgate.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicChannelOption;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A portgate tunnel server this gateway is a client of: one QUIC connection (or its TCP fallback), kept up (reconnecting with backoff
 * and jitter), through which the remote forwards that name it ask for their public ports again after every
 * reconnect. TCP arrivals come as streams the server opens, UDP as datagrams; both go on to the targets here.
 */
public final class TunnelEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TunnelEndpoint.class);
    /** How long a QUIC handshake may take before the attempt counts as failed (UDP blocked looks like this). */
    static final long HANDSHAKE_SECONDS = 5;

    private static final long MAX_BACKOFF_MILLIS = 30_000;
    /** How soon the next server of the list is tried after one failed. */
    private static final long NEXT_SERVER_MILLIS = 250;
    /** Pings in a row the server may leave unanswered before the link counts as dead. */
    private static final int SILENT_PINGS = 3;

    public record Status(
            String name,
            String server,
            String transport,
            String state,
            long rttMicros,
            long sentBytes,
            long receivedBytes,
            Instant retryAt,
            String lastError,
            String failure,
            List<String> forwards) {}

    private final TunnelEndpointConfig config;
    private final Transport transport;
    private final EventLoop loop;
    private final Dialer direct;
    private final ScheduledExecutorService workers;
    private final QuicSslContext quicSsl;
    private final SslContext h2Ssl;
    private final Map<String, Remote> remotes = new ConcurrentHashMap<>();
    private final Map<Integer, Remote> byId = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private volatile String state = "connecting";
    private volatile String lastError;
    /** Why the last attempt failed: "auth" (the server refused the token), "trust" (not the pinned server), "network". */
    private volatile String failure;

    private volatile Instant retryAt;
    /** When the server last said anything on the control stream (a pong answers each ping). */
    private volatile long lastHeard;
    /** Which of the configured servers is tried or connected now. */
    private volatile int current;

    private volatile boolean closed;
    private int attempt;
    /** The longest pause between attempts: a node link retries sooner, since its node is known to be up. */
    private volatile long maxBackoffMillis = MAX_BACKOFF_MILLIS;

    private volatile InetSocketAddress server;
    private static final AttributeKey<ServerLink> LINK = AttributeKey.valueOf("portgate.tunnel.server-link");

    private volatile Carrier carrier;
    private volatile Channel control;
    private volatile ServerLink link;
    private ScheduledFuture<?> keepalive;

    /** One remote forward through this endpoint and where its public port stands. */
    private static final class Remote {
        final int id;
        final RemoteForward forward;
        /** Null: arrivals go to the forward's target; otherwise on to a client of this node. */
        final Onward onward;

        volatile ActiveForward active;
        volatile boolean listening;
        volatile Promise<Void> answer;

        Remote(int id, ActiveForward active, RemoteForward forward, Onward onward) {
            this.id = id;
            this.active = active;
            this.forward = forward;
            this.onward = onward;
        }
    }

    TunnelEndpoint(
            TunnelEndpointConfig config,
            KeyManagerFactory certificate,
            Transport transport,
            EventLoop loop,
            Dialer direct,
            ScheduledExecutorService workers)
            throws IOException {
        this.config = config;
        this.transport = transport;
        this.loop = loop;
        this.direct = direct;
        this.workers = workers;
        TrustManager trust =
                config.fingerprint() != null ? ServerTrust.pinned(config.fingerprint()) : ServerTrust.ca(config.ca());
        this.quicSsl = QuicSetup.clientSsl(trust, config.fingerprint() == null, certificate);
        this.h2Ssl = H2Setup.clientSsl(trust, config.fingerprint() == null, certificate);
    }

    String name() {
        return config.name();
    }

    TunnelEndpointConfig config() {
        return config;
    }

    EventLoop loop() {
        return loop;
    }

    void start() {
        connect();
    }

    /** Caps the pause between attempts (a node link's peer is known to be up while it is linked to). */
    TunnelEndpoint retryingAtMost(Duration pause) {
        this.maxBackoffMillis = Math.max(500, pause.toMillis());
        return this;
    }

    /** The server tried now, of the endpoint's list. */
    private TunnelEndpointConfig.Server at() {
        return config.servers().get(current);
    }

    private void connect() {
        if (closed) {
            return;
        }
        state = "connecting";
        workers.execute(() -> {
            InetSocketAddress to;
            try {
                // A name look-up may block: it is done here, not on the loop.
                to = new InetSocketAddress(InetAddress.getByName(at().host()), at().port());
            } catch (UnknownHostException e) {
                failed("cannot resolve " + at().host());
                return;
            }
            loop.execute(() -> dial(to));
        });
    }

    private void dial(InetSocketAddress to) {
        server = to;
        if (config.transport() == TunnelEndpointConfig.Mode.TCP) {
            dialTcp(to);
            return;
        }
        QuicSetup.udpSocket(new Bootstrap().group(loop), transport)
                .handler(QuicSetup.client(quicSsl, at().host(), at().port()))
                .bind(new InetSocketAddress(to.getAddress() instanceof Inet6Address ? "::" : "0.0.0.0", 0))
                .addListener((ChannelFuture bound) -> {
                    if (!bound.isSuccess()) {
                        quicFailed(to, "network", "cannot open a UDP socket: " + Errors.reason(bound.cause()));
                        return;
                    }
                    handshake(bound.channel(), to);
                });
    }

    private void handshake(Channel udp, InetSocketAddress to) {
        Future<QuicChannel> connecting = QuicChannel.newBootstrap(udp)
                .option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, QuicSetup.segments())
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel q) {
                        ServerLink l = new ServerLink(TunnelEndpoint.this, new QuicCarrier(q));
                        q.attr(LINK).set(l);
                        q.pipeline().addLast(new DatagramIn(l::datagram));
                    }
                })
                .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        stream.pipeline()
                                .addLast(AbortOnClose.INSTANCE, HeaderReader.arrival(TunnelEndpoint.this::arrived));
                    }
                })
                .remoteAddress(to)
                .connect();
        boolean[] timedOut = {false};
        // Closing the socket ends the attempt (cancelling the connect future makes Netty complain of it).
        ScheduledFuture<?> timeout = loop.schedule(
                () -> {
                    if (!connecting.isDone()) {
                        timedOut[0] = true;
                        udp.close();
                    }
                },
                HANDSHAKE_SECONDS,
                TimeUnit.SECONDS);
        connecting.addListener(f -> {
            timeout.cancel(false);
            if (!f.isSuccess()) {
                udp.close();
                boolean trust =
                        !timedOut[0] && handshakeError(f.cause(), "QUIC").contains("not the pinned");
                quicFailed(
                        to,
                        trust ? "trust" : "network",
                        timedOut[0]
                                ? "no QUIC answer from " + Addresses.format(to) + " within " + HANDSHAKE_SECONDS
                                        + " s (is UDP blocked on the way, or is the port wrong?)"
                                : handshakeError(f.cause(), "QUIC"));
                return;
            }
            QuicChannel q = (QuicChannel) f.getNow();
            log.debug("tunnel-endpoint \"{}\": QUIC handshake with {} done", name(), Addresses.format(to));
            q.closeFuture().addListener(x -> udp.close());
            linked(q.attr(LINK).get());
        });
    }

    /** With transport auto, a QUIC attempt that got no answer goes on over TCP at once; otherwise it failed. */
    private void quicFailed(InetSocketAddress to, String kind, String why) {
        if (config.transport() == TunnelEndpointConfig.Mode.AUTO && kind.equals("network") && !closed) {
            log.info("tunnel-endpoint \"{}\": {}; trying the TCP fallback", name(), why);
            dialTcp(to);
            return;
        }
        failure = kind;
        failed(why);
    }

    /** The TCP fallback: TLS 1.3 on TCP to the same port number, HTTP/2 streams inside. */
    private void dialTcp(InetSocketAddress to) {
        new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TimeUnit.SECONDS.toMillis(HANDSHAKE_SECONDS))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        WireBytes bytes = new WireBytes();
                        ServerLink l = new ServerLink(
                                TunnelEndpoint.this,
                                new H2Carrier(ch, Addresses.hostPort(at().host(), at().port()), bytes));
                        ch.attr(LINK).set(l);
                        SslHandler tls = h2Ssl.newHandler(ch.alloc(), at().host(), at().port());
                        tls.setHandshakeTimeoutMillis(TimeUnit.SECONDS.toMillis(HANDSHAKE_SECONDS));
                        ch.pipeline()
                                .addLast(
                                        bytes,
                                        H2Setup.idle(),
                                        tls,
                                        H2Setup.codec(false),
                                        // The server never opens a stream: HTTP/2 does not let it.
                                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter() {
                                            @Override
                                            public void handlerAdded(ChannelHandlerContext ctx) {
                                                ctx.close();
                                            }
                                        }),
                                        H2Setup.closer());
                    }
                })
                .connect(to)
                .addListener((ChannelFuture connected) -> {
                    if (!connected.isSuccess()) {
                        failure = "network";
                        failed("cannot connect over TCP to " + Addresses.format(to) + ": "
                                + Errors.reason(connected.cause()));
                        return;
                    }
                    Channel ch = connected.channel();
                    ch.pipeline().get(SslHandler.class).handshakeFuture().addListener(hf -> {
                        if (!hf.isSuccess() || !H2Setup.ready(ch)) {
                            ch.close();
                            String why = hf.isSuccess()
                                    ? Addresses.format(to) + " did not choose HTTP/2: is it a portgate tunnel server?"
                                    : handshakeError(hf.cause(), "TLS");
                            failure = why.contains("not the pinned") ? "trust" : "network";
                            failed(why);
                            return;
                        }
                        log.debug("tunnel-endpoint \"{}\": TLS handshake with {} done", name(), Addresses.format(to));
                        linked(ch.attr(LINK).get());
                    });
                });
    }

    /** A link is up (either transport): open the control stream and say hello. */
    private void linked(ServerLink l) {
        Carrier c = l.carrier;
        carrier = c;
        link = l;
        c.channel().closeFuture().addListener(x -> lost(c));
        c.openClientStream(
                        H2Carrier.CONTROL,
                        stream -> ControlStream.install(stream, new ControlStream.Reader() {
                            @Override
                            public void message(ControlMessage m) {
                                onMessage(m);
                            }

                            @Override
                            public void broken(String why) {
                                log.warn("tunnel-endpoint \"{}\": the server broke the protocol: {}", name(), why);
                                lastError = "the server broke the protocol: " + why;
                                c.close();
                            }

                            @Override
                            public void closed() {
                                c.close();
                            }
                        }))
                .addListener(sf -> {
                    if (!sf.isSuccess()) {
                        lastError = "cannot open the control stream: " + Errors.reason(sf.cause());
                        c.close();
                        return;
                    }
                    control = (Channel) sf.getNow();
                    log.debug("tunnel-endpoint \"{}\": control stream open, saying hello", name());
                    ControlStream.send(
                            control, new ControlMessage.Hello(ControlMessage.VERSION, config.client(), config.token()));
                });
    }

    private static String handshakeError(Throwable cause, String protocol) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("not the pinned")) {
                return t.getMessage();
            }
        }
        return "the " + protocol + " handshake failed: " + Errors.reason(cause)
                + " (a server certificate that is not the pinned one fails here too)";
    }

    private void onMessage(ControlMessage m) {
        lastHeard = System.nanoTime();
        if (m instanceof ControlMessage.Welcome) {
            state = "connected";
            lastError = null;
            failure = null;
            retryAt = null;
            attempt = 0;
            log.info(
                    "tunnel-endpoint \"{}\": connected to {} over {}",
                    name(),
                    Addresses.format(server),
                    carrier.label());
            if (carrier instanceof H2Carrier h2) {
                openDatagramStream(h2);
            }
            keepalive = loop.scheduleAtFixedRate(
                    this::ping,
                    config.keepalive().toMillis(),
                    config.keepalive().toMillis(),
                    TimeUnit.MILLISECONDS);
            link.refreshStats();
            remotes.values().forEach(this::askListen);
        } else if (m instanceof ControlMessage.Refused r) {
            lastError = "refused by the server: " + r.reason();
            failure = "auth";
            log.warn("tunnel-endpoint \"{}\": {}", name(), lastError);
            carrier.close();
        } else if (m instanceof ControlMessage.Pong) {
            // heard: the link is alive
        } else if (m instanceof ControlMessage.Ping p) {
            // The server asks whether this connection is alive (another with our credentials wants in).
            ControlStream.send(control, new ControlMessage.Pong(p.sent()));
        } else if (m instanceof ControlMessage.Dial d) {
            carrier.openClientStream(H2Carrier.ARRIVAL + d.ticket(), stream -> stream.pipeline()
                    .addLast(HeaderReader.arrival(this::arrived)));
        } else if (m instanceof ControlMessage.Listening l) {
            Remote r = byId.get(l.id());
            if (r != null) {
                r.listening = true;
                Promise<Void> p = r.answer;
                if (p != null) {
                    p.trySuccess(null);
                }
                log.info(
                        "tunnel-endpoint \"{}\": {} is open on the server (forward \"{}\"){}",
                        name(),
                        describe(r.forward),
                        r.forward.name(),
                        l.url() == null ? "" : ": " + l.url());
            }
        } else if (m instanceof ControlMessage.ListenRefused l) {
            Remote r = byId.get(l.id());
            if (r != null) {
                r.listening = false;
                log.warn(
                        "tunnel-endpoint \"{}\": the server refused {} (forward \"{}\"): {}",
                        name(),
                        describe(r.forward),
                        r.forward.name(),
                        l.reason());
                Promise<Void> p = r.answer;
                if (p != null) {
                    p.tryFailure(
                            new IOException("the tunnel server refused " + describe(r.forward) + ": " + l.reason()));
                }
            }
        }
    }

    /** On the TCP fallback, the stream the datagrams go on both ways. */
    private void openDatagramStream(H2Carrier h2) {
        ServerLink l = link;
        h2.openClientStream(
                        H2Carrier.DATAGRAMS, stream -> Datagrams.installStream(stream, h2.maxDatagram(), l::datagram))
                .addListener(f -> {
                    if (f.isSuccess()) {
                        h2.datagrams((Channel) f.getNow());
                    } else {
                        log.warn(
                                "tunnel-endpoint \"{}\": cannot open the datagram stream, UDP forwards will not work: {}",
                                name(),
                                Errors.reason(f.cause()));
                    }
                });
    }

    private void ping() {
        Channel c = control;
        Carrier k = carrier;
        long silent = System.nanoTime() - lastHeard;
        if (c != null && k != null && silent > SILENT_PINGS * config.keepalive().toNanos()) {
            // A server that stopped answering (its machine died, a cable) is left after a few pings, not after
            // the transport's idle timeout: the next server of the list, or the same one again, sooner.
            lastError = "the server at " + Addresses.format(server) + " did not answer for "
                    + TimeUnit.NANOSECONDS.toSeconds(silent) + " s";
            failure = "network";
            k.close();
            return;
        }
        if (c != null && c.isActive()) {
            ControlStream.send(c, new ControlMessage.Ping(System.nanoTime()));
        }
        ServerLink l = link;
        if (l != null) {
            l.refreshStats();
        }
    }

    private void lost(Carrier c) {
        if (c != carrier) {
            return;
        }
        if (keepalive != null) {
            keepalive.cancel(false);
        }
        carrier = null;
        control = null;
        link = null;
        remotes.values().forEach(r -> r.listening = false);
        if (lastError == null) {
            lastError = "the connection to " + Addresses.format(server) + " was lost";
            failure = "network";
        }
        log.warn("tunnel-endpoint \"{}\": {}", name(), lastError);
        retryLater();
    }

    private void failed(String why) {
        lastError = why;
        log.warn("tunnel-endpoint \"{}\": {}", name(), why);
        retryLater();
    }

    private void retryLater() {
        for (Remote r : remotes.values()) {
            Promise<Void> p = r.answer;
            if (p != null) {
                p.tryFailure(new IOException("tunnel-endpoint \"" + name() + "\" is not connected (" + lastError
                        + "); the port opens when it is"));
            }
        }
        if (closed) {
            return;
        }
        int servers = config.servers().size();
        if (servers > 1) {
            // The next server of the list at once; the backoff only once every one of them has been tried.
            current = (current + 1) % servers;
            if (current != 0) {
                log.info("tunnel-endpoint \"{}\": trying the next server, {}", name(), at());
                retryAt = Instant.now().plusMillis(NEXT_SERVER_MILLIS);
                state = "retrying";
                loop.schedule(this::connect, NEXT_SERVER_MILLIS, TimeUnit.MILLISECONDS);
                return;
            }
        }
        long base = Math.min(maxBackoffMillis, 1000L << Math.min(attempt, 5));
        attempt++;
        // Jitter: many clients that lost one server do not all come back in the same second.
        long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        retryAt = Instant.now().plusMillis(delay);
        state = "retrying";
        loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    // --- remote forwards

    /** Asks the server to open the forward's public port (now if connected, and after every reconnect). */
    Future<Void> openRemote(ActiveForward active) {
        return openRemote(active, (RemoteForward) active.forward(), null);
    }

    /**
     * The same for a port asked on behalf of {@code active} (which counts its traffic) as {@code asked} says, its
     * arrivals going {@code onward}: a node link's ports.
     */
    Future<Void> openRemote(ActiveForward active, RemoteForward asked, Onward onward) {
        RemoteForward f = asked;
        Remote r = remotes.compute(f.name(), (k, old) -> {
            if (old != null && old.forward.equals(f) && old.onward == onward) {
                old.active = active;
                return old;
            }
            if (old != null) {
                byId.remove(old.id);
                unlisten(old);
            }
            return new Remote(ids.incrementAndGet(), active, f, onward);
        });
        byId.put(r.id, r);
        if (r.listening) {
            return GlobalEventExecutor.INSTANCE.newSucceededFuture(null);
        }
        Promise<Void> p = GlobalEventExecutor.INSTANCE.newPromise();
        r.answer = p;
        if ("connected".equals(state)) {
            loop.execute(() -> askListen(r));
        } else if ("connecting".equals(state)) {
            // Answered when the connection is up (or failed with its reason when it is not).
        } else {
            p.tryFailure(new IOException("tunnel-endpoint \"" + name() + "\" is not connected"
                    + (lastError == null ? "" : " (" + lastError + ")") + "; the port opens when it is"));
        }
        return p;
    }

    /** Whether the server holds {@code forward}'s port now. */
    boolean listening(String forward) {
        Remote r = remotes.get(forward);
        return r != null && r.listening;
    }

    void closeRemote(String forward) {
        Remote r = remotes.remove(forward);
        if (r != null) {
            byId.remove(r.id);
            unlisten(r);
        }
    }

    private void unlisten(Remote r) {
        Channel c = control;
        if (c != null && "connected".equals(state)) {
            ControlStream.send(c, new ControlMessage.Unlisten(r.id));
        }
    }

    private void askListen(Remote r) {
        Channel c = control;
        if (c == null) {
            return;
        }
        RemoteForward f = r.forward;
        if (f.host() != null) {
            ControlStream.send(c, new ControlMessage.Serve(r.id, f.host().toString()));
            return;
        }
        ControlStream.send(
                c,
                new ControlMessage.Listen(
                        r.id,
                        Protocol.label(f.carried()),
                        f.listen().toString(),
                        f.limits().allow().stream().map(Object::toString).toList(),
                        f.limits().deny().stream().map(Object::toString).toList()));
    }

    private static String describe(RemoteForward f) {
        return f.host() == null ? Protocol.label(f.carried()) + " " + f.listen() : "site " + f.host();
    }

    /** The public address a player reached: the forward's listen address, or the server's when it is a wildcard. */
    private InetSocketAddress publicAddress(RemoteForward f, int port) {
        InetAddress a =
                f.listen().isWildcard() ? server.getAddress() : f.listen().address();
        return new InetSocketAddress(a, port);
    }

    /**
     * A TCP arrival on a stream the server opened: dial the target, or over a node link the client of this node that
     * owns the port, and relay.
     */
    private void arrived(Channel stream, Arrival arrival) {
        Remote r = byId.get(arrival.listen());
        if (r == null || !r.forward.carried().contains(Protocol.TCP)) {
            stream.close();
            return;
        }
        RemoteForward f = r.forward;
        ActiveForward active = r.active;
        Future<Channel> dialled;
        String target;
        if (r.onward != null) {
            target = r.onward.describe() + " via " + name();
            // The stream's own peer is the other node: the client is told the player instead.
            stream.attr(Sources.ARRIVED_FROM).set(arrival.from());
            dialled = r.onward.dial(stream, arrival);
        } else {
            String host = f.target().host();
            int port = f.target().portFor(f.listen().ports(), arrival.port());
            target = Addresses.hostPort(host, port);
            dialled = direct.dial(stream, host, port);
        }
        log.debug(
                "forward \"{}\": {} arrived on port {}, to {}",
                f.name(),
                Addresses.format(arrival.from()),
                arrival.port(),
                target);
        dialled.addListener(d -> {
            if (!d.isSuccess()) {
                active.stats().refused(ForwardStats.Refusal.DIAL_FAILED);
                if (r.onward == null) {
                    // A client of this node that went says nothing of the forward's target.
                    active.health().failed(d.cause());
                }
                log.warn(
                        "forward \"{}\": cannot reach {} for {}: {}",
                        f.name(),
                        target,
                        Addresses.format(arrival.from()),
                        Errors.reason(d.cause()));
                stream.close();
                return;
            }
            Channel to = (Channel) d.getNow();
            if (!stream.isActive()) {
                to.close();
                return;
            }
            if (r.onward == null) {
                active.health().reached();
                if (f.proxyProtocol() != ProxyProtocol.NONE) {
                    ProxyHeader.write(to, f.proxyProtocol(), arrival.from(), publicAddress(f, arrival.port()));
                }
            }
            HeaderReader.handOver(stream, to);
            Connection conn = active.openTcp(stream, arrival.from(), target);
            Relay.join(stream, to, conn, active.stats(), f.limits().idleTimeout());
        });
    }

    /**
     * A connection the server makes for a {@code kind: local} or {@code dynamic} forward through this tunnel: a
     * stream with the target in its header; the server dials it if the client's permit-open allows, and answers.
     */
    Future<Channel> open(Channel inbound, String host, int port) {
        Promise<Channel> promise = inbound.eventLoop().newPromise();
        Carrier c = carrier;
        if (c == null || !connected()) {
            return promise.setFailure(new IOException("tunnel-endpoint \"" + name() + "\" is not connected"
                    + (lastError == null ? "" : " (" + lastError + ")")));
        }
        OpenRequest request;
        try {
            request = new OpenRequest(host, port);
        } catch (IllegalArgumentException e) {
            return promise.setFailure(
                    new IOException("cannot ask the tunnel server for " + host + ": " + e.getMessage()));
        }
        c.openClientStream(H2Carrier.OPEN, stream -> stream.pipeline()
                        .addLast(new HeaderReader<>(OpenAnswer::read, OpenAnswer.MAX_BYTES, (s, answer) -> {
                            if (answer.open()) {
                                HeaderReader.release(s);
                                promise.trySuccess(s);
                            } else {
                                promise.tryFailure(new DialRefused("the tunnel server refused: " + answer.refusal()));
                                s.close();
                            }
                        })))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        promise.tryFailure(f.cause());
                        return;
                    }
                    Channel stream = (Channel) f.getNow();
                    stream.closeFuture()
                            .addListener(x -> promise.tryFailure(
                                    new IOException("the tunnel server ended the stream without an answer")));
                    ByteBuf header = stream.alloc().buffer(request.size());
                    request.write(header);
                    stream.writeAndFlush(header, stream.voidPromise());
                });
        return promise;
    }

    /** A UDP arrival's first datagram: a flow to the target. */
    EndpointFlow openFlow(ServerLink on, int flowId, Arrival arrival) {
        Remote r = byId.get(arrival.listen());
        if (r == null || !r.forward.carried().contains(Protocol.UDP)) {
            return null;
        }
        if (r.onward != null) {
            return r.onward.flow(on, flowId, arrival, r.active);
        }
        RemoteForward f = r.forward;
        ClientFlow flow = new ClientFlow(
                flowId, arrival, r.active, f.proxyProtocol(), publicAddress(f, arrival.port()), on, on::flowEnded);
        flow.start(
                transport,
                f.target().host(),
                f.target().portFor(f.listen().ports(), arrival.port()),
                f.limits().idleTimeoutFor(Protocol.UDP));
        return flow;
    }

    public Status status() {
        ServerLink l = link;
        return new Status(
                name(),
                Addresses.hostPort(at().host(), at().port()),
                l == null ? config.transport().name().toLowerCase(Locale.ROOT) : l.carrier.label(),
                state,
                l == null ? -1 : l.carrier.stats.rttMicros,
                l == null ? 0 : l.carrier.stats.sentBytes,
                l == null ? 0 : l.carrier.stats.recvBytes,
                retryAt,
                lastError,
                failure,
                remotes.keySet().stream().sorted().toList());
    }

    /** True once the server has answered a hello: remote forwards can be asked for. */
    public boolean connected() {
        return "connected".equals(state);
    }

    @Override
    public void close() {
        closed = true;
        state = "closed";
        Carrier c = carrier;
        if (c != null) {
            c.close();
        }
    }
}
