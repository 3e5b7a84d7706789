package dev.portgate.net;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Forward;
import dev.portgate.forward.LocalForward;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.SshSessionForward;
import dev.portgate.forward.TunnelSessionForward;
import dev.portgate.policy.Policy;
import dev.portgate.policy.Verdict;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of an accepted TCP connection: asks the policy, dials the target on the same
 * event loop, writes a PROXY header if the forward wants one, then hands both sides to {@link Relay}.
 */
final class TcpAcceptor extends FirstHandler {

    private static final Logger log = LoggerFactory.getLogger(TcpAcceptor.class);

    /** TLS towards the client ({@code server}, access: tls) and towards the target ({@code client}, target-tls); either may be null. */
    record Tls(SslContext server, SslContext client) {
        static final Tls NONE = new Tls(null, null);
    }

    private final ActiveForward active;
    private final Policy policy;
    private final Dialer dialer;
    private final int listenPort;
    private final Tls tls;

    TcpAcceptor(ActiveForward active, Policy policy, Dialer dialer, int listenPort, Tls tls) {
        this.active = active;
        this.policy = policy;
        this.dialer = dialer;
        this.listenPort = listenPort;
        this.tls = tls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel inbound = ctx.channel();
        InetSocketAddress client = (InetSocketAddress) inbound.remoteAddress();
        Forward forward = active.forward();
        String host;
        int port;
        ProxyProtocol proxyProtocol = ProxyProtocol.NONE;
        if (forward instanceof PortForward pf) {
            host = pf.target().host();
            port = pf.target().portFor(pf.listen().ports(), listenPort);
            proxyProtocol = pf.proxyProtocol();
        } else if (forward instanceof SshSessionForward sf) {
            // The SSH client is told which of its forwards was connected: the address it asked to bind.
            host = sf.requestedHost();
            port = sf.listen().ports().first();
        } else if (forward instanceof TunnelSessionForward) {
            // The tunnel client knows the target; it is told the public port that was hit.
            host = "tunnel";
            port = listenPort;
        } else if (forward instanceof LocalForward lf) {
            host = lf.target().host();
            port = lf.target().ports().first();
        } else {
            inbound.close();
            return;
        }
        if (policy.admit(forward, client.getAddress(), active.activeCount()) instanceof Verdict.Refuse refuse) {
            active.stats().refused(ForwardStats.Refusal.of(refuse.reason()));
            log.debug("forward \"{}\": refused {}: {}", forward.name(), Addresses.format(client), refuse.detail());
            reset(inbound);
            return;
        }
        GlobalTrafficShapingHandler shaper = active.shaper(inbound.eventLoop().parent());
        if (shaper != null) {
            inbound.pipeline().addFirst("shaper", shaper);
        }
        if (tls.server() != null) {
            // The target is dialled only after the handshake: a client without the right certificate never reaches it.
            SslHandler ssl = tls.server().newHandler(inbound.alloc());
            ssl.setHandshakeTimeoutMillis(10_000);
            inbound.pipeline().addBefore(ctx.name(), "tls", ssl);
            inbound.read(); // auto-read is off until the relay runs: the handshake needs the first bytes pulled in
            String toHost = host;
            int toPort = port;
            ProxyProtocol header = proxyProtocol;
            ssl.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    connect(ctx, client, forward, toHost, toPort, header);
                } else {
                    active.stats().refused(ForwardStats.Refusal.DENIED);
                    log.info(
                            "forward \"{}\": TLS handshake with {} failed: {}",
                            forward.name(),
                            Addresses.format(client),
                            Errors.reason(h.cause()));
                    inbound.close();
                }
            });
            return;
        }
        connect(ctx, client, forward, host, port, proxyProtocol);
    }

    private void connect(
            ChannelHandlerContext ctx,
            InetSocketAddress client,
            Forward forward,
            String host,
            int port,
            ProxyProtocol proxyProtocol) {
        Channel inbound = ctx.channel();
        String target = Addresses.hostPort(host, port);
        ProxyProtocol header = proxyProtocol;
        Connection conn = active.openTcp(inbound, client, target);
        ForwardStats stats = active.stats();
        long started = System.nanoTime();
        inbound.closeFuture().addListener(f -> {
            log.debug(
                    "forward \"{}\": {} -> {} closed after {} ms, {} bytes in, {} bytes out",
                    forward.name(),
                    Addresses.format(client),
                    target,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                    conn.bytesIn(),
                    conn.bytesOut());
        });
        log.debug("forward \"{}\": {} -> {} opened", forward.name(), Addresses.format(client), target);

        dialer.dial(inbound, host, port).addListener(f -> {
            if (!f.isSuccess()) {
                stats.refused(ForwardStats.Refusal.DIAL_FAILED);
                active.health().failed(f.cause());
                log.warn(
                        "forward \"{}\": cannot reach {} for {}: {}",
                        forward.name(),
                        target,
                        Addresses.format(client),
                        TargetHealth.reason(f.cause()));
                reset(inbound);
                return;
            }
            active.health().reached();
            Channel outbound = (Channel) f.getNow();
            if (!inbound.isActive()) {
                outbound.close();
                return;
            }
            inbound.closeFuture().addListener(x -> {
                if (outbound.isActive() && !inbound.isActive() && !outbound.isWritable()) {
                    outbound.close();
                }
            });
            if (header != ProxyProtocol.NONE) {
                ProxyHeader.write(outbound, header, client, (InetSocketAddress) inbound.localAddress());
            }
            if (tls.client() != null) {
                SslHandler ssl = tls.client().newHandler(outbound.alloc(), host, port);
                ssl.setHandshakeTimeoutMillis(10_000);
                outbound.pipeline().addFirst("tls", ssl);
                ssl.handshakeFuture().addListener(h -> {
                    if (!h.isSuccess()) {
                        stats.refused(ForwardStats.Refusal.DIAL_FAILED);
                        log.warn(
                                "forward \"{}\": TLS to {} failed: {}",
                                forward.name(),
                                target,
                                Errors.reason(h.cause()));
                        outbound.close();
                        reset(inbound);
                        return;
                    }
                    ctx.pipeline().remove(this);
                    Relay.join(inbound, outbound, conn, stats, forward.limits().idleTimeoutFor(Protocol.TCP));
                    replayEarly(inbound);
                });
                return;
            }
            ctx.pipeline().remove(this);
            Relay.join(inbound, outbound, conn, stats, forward.limits().idleTimeoutFor(Protocol.TCP));
            replayEarly(inbound);
        });
    }

    private void replayEarly(Channel inbound) {
        // Decrypted bytes go on from just behind the TLS handler; plain ones from the head.
        replayEarly(inbound, tls.server() != null ? "tls" : null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug(
                "forward \"{}\": {}: {}",
                active.name(),
                Addresses.format(ctx.channel().remoteAddress()),
                cause.toString());
        ctx.close();
    }

    /** Closes with RST, as a closed port would answer. */
    private static void reset(Channel ch) {
        if (ch.isActive()) {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        ch.close();
    }
}
