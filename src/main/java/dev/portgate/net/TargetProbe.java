package dev.portgate.net;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Origin;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Checks the targets of forwards nobody has used for a while, so an unreachable NAS shows as such before
 * the first visitor finds out: a TCP connect that is closed at once (or, for UDP, only the name lookup).
 * Forwards whose target expects a PROXY header are left to their dials: a bare connect would be an error
 * in the target's log.
 */
public final class TargetProbe implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MILLIS = 3000;
    /** At most this many probes a round, so a thousand idle forwards are checked over minutes, not at once. */
    private static final int PER_ROUND = 32;

    private final Transport transport;
    private final Supplier<Collection<ActiveForward>> forwards;
    private final Duration every;
    private ScheduledFuture<?> rounds;

    public TargetProbe(Transport transport, Supplier<Collection<ActiveForward>> forwards, Duration every) {
        this.transport = transport;
        this.forwards = forwards;
        this.every = every;
    }

    public TargetProbe start() {
        long seconds = Math.max(1, every.toSeconds() / 4);
        rounds = transport.group().next().scheduleAtFixedRate(this::round, seconds, seconds, TimeUnit.SECONDS);
        return this;
    }

    private void round() {
        Instant stale = Instant.now().minus(every);
        int budget = PER_ROUND;
        for (ActiveForward a : forwards.get()) {
            if (budget == 0) {
                return;
            }
            if (!(a.forward() instanceof PortForward pf)
                    || pf.proxyProtocol() != ProxyProtocol.NONE
                    || !probed(pf.origin().kind())) {
                continue;
            }
            TargetHealth.Snapshot s = a.health().snapshot();
            Instant last = s.checked() != null ? s.checked() : a.started();
            if (last.isBefore(stale)) {
                budget--;
                check(a);
            }
        }
    }

    /**
     * The forwards a person made. A device's own UPnP/NAT-PMP/PCP lease or a trigger's opening is not probed: the
     * device asked for it just now, and ten thousand leases would be ten thousand connects a minute.
     */
    private static boolean probed(Origin.Kind kind) {
        return kind == Origin.Kind.CONFIG || kind == Origin.Kind.API;
    }

    /** Checks now; the result is also kept in the forward's health. */
    public Future<TargetHealth.Snapshot> check(ActiveForward a) {
        EventLoop loop = transport.group().next();
        Promise<TargetHealth.Snapshot> done = loop.newPromise();
        if (!(a.forward() instanceof PortForward pf)) {
            done.setSuccess(a.health().snapshot());
            return done;
        }
        String host = pf.target().host();
        int port = pf.target().ports().first();
        InetAddress literal = Addresses.literal(host);
        InetSocketAddress to =
                literal != null ? new InetSocketAddress(literal, port) : InetSocketAddress.createUnresolved(host, port);
        if (!pf.protocols().contains(Protocol.TCP)) {
            if (literal != null) {
                done.setSuccess(a.health().snapshot()); // UDP has no handshake to ask
                return done;
            }
            transport.resolver().getResolver(loop).resolve(to).addListener(f -> {
                if (!f.isSuccess()) {
                    a.health().failed(f.cause());
                }
                done.setSuccess(a.health().snapshot());
            });
            return done;
        }
        Bootstrap probe = new Bootstrap().group(loop).channel(transport.socketChannel());
        // An IP literal needs no resolver: with one, Netty would make the loop's DNS resolver and its socket.
        if (literal != null) {
            probe.disableResolver();
        } else {
            probe.resolver(transport.resolver());
        }
        ChannelFuture connect = probe.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {}
                })
                .connect(to);
        connect.addListener(f -> {
            if (f.isSuccess()) {
                a.health().reached();
                connect.channel().close();
            } else {
                a.health().failed(f.cause());
            }
            done.setSuccess(a.health().snapshot());
        });
        return done;
    }

    @Override
    public void close() {
        if (rounds != null) {
            rounds.cancel(false);
        }
    }
}
