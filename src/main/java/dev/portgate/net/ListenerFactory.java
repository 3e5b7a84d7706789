package dev.portgate.net;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.DynamicForward;
import dev.portgate.forward.Forward;
import dev.portgate.forward.HttpForward;
import dev.portgate.forward.LocalForward;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.PortRange;
import dev.portgate.forward.Protection;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.RemoteForward;
import dev.portgate.forward.SiteSession;
import dev.portgate.forward.SshSessionForward;
import dev.portgate.forward.TunnelSessionForward;
import dev.portgate.policy.Policy;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Makes the listeners a forward needs: one per port of its range and per protocol. */
public final class ListenerFactory {

    private final Transport transport;
    private final Policy policy;
    private final Dialer direct;
    private final ProxyFrontends proxies;
    private final Tunnels tunnels;

    private final TlsContexts tls;
    private final NamedSites sites;

    public ListenerFactory(
            Transport transport,
            Policy policy,
            Dialer direct,
            ProxyFrontends proxies,
            Tunnels tunnels,
            TlsContexts tls,
            NamedSites sites) {
        this.tls = tls;
        this.sites = sites;
        this.transport = transport;
        this.policy = policy;
        this.direct = direct;
        this.proxies = proxies;
        this.tunnels = tunnels;
    }

    public List<Listener> listenersFor(ActiveForward active) {
        if (active.forward() instanceof HttpForward site) {
            return List.of(sites.site(active, siteDialer(site)));
        }
        List<Listener> out = new ArrayList<>();
        TcpAcceptor.Tls wrap;
        try {
            wrap = tlsFor(active.forward());
        } catch (IOException e) {
            return List.of(failed(active.forward(), e));
        }
        if (active.forward() instanceof PortForward pf) {
            out.addAll(portListeners(active, pf, pf.listen().address(), wrap));
        } else if (active.forward() instanceof DynamicForward df) {
            out.add(new TcpListener(
                    transport,
                    df.via() == null ? null : tunnels.loopOf(df.via()),
                    active,
                    df.listen().address(),
                    df.listen().ports().first(),
                    () -> proxies.frontend(active)));
        } else if (active.forward() instanceof LocalForward lf) {
            Dialer through = tunnels.via(lf.via());
            int port = lf.listen().ports().first();
            out.add(new TcpListener(
                    transport,
                    tunnels.loopOf(lf.via()),
                    active,
                    lf.listen().address(),
                    port,
                    () -> new TcpAcceptor(active, policy, through, port, wrap)));
        } else if (active.forward() instanceof SshSessionForward sf) {
            Dialer back = tunnels.session(sf.session());
            int port = sf.listen().ports().first();
            out.add(new TcpListener(
                    transport,
                    tunnels.sessionLoop(sf.session()),
                    active,
                    sf.listen().address(),
                    port,
                    () -> new TcpAcceptor(active, policy, back, port, TcpAcceptor.Tls.NONE)));
        } else if (active.forward() instanceof TunnelSessionForward tf) {
            out.addAll(tunnelSessionListeners(active, tf));
        } else if (active.forward() instanceof RemoteForward) {
            out.add(tunnels.remote(active));
        }
        return out;
    }

    /** A configured site dials its target; a client's site goes back through the client's session. */
    private Dialer siteDialer(HttpForward site) {
        if (site.session() instanceof SiteSession.Ssh ssh) {
            return tunnels.session(ssh.id());
        }
        if (site.session() instanceof SiteSession.Tunnel tunnel) {
            return tunnels.back(site.name(), tunnel);
        }
        return direct;
    }

    /**
     * Relay listeners on loopback for a kernel-plane port forward on a wildcard address: 127.0.0.1, and
     * ::1 too for [::]. The kernel's NAT does not serve loopback, so the relay answers there.
     */
    public List<Listener> loopbackListenersFor(ActiveForward active) {
        if (!(active.forward() instanceof PortForward pf)) {
            return List.of();
        }
        List<InetAddress> loopbacks = new ArrayList<>();
        loopbacks.add(Addresses.literal("127.0.0.1"));
        if (pf.listen().address() instanceof Inet6Address) {
            loopbacks.add(Addresses.literal("::1"));
        }
        List<Listener> out = new ArrayList<>();
        for (InetAddress address : loopbacks) {
            out.addAll(portListeners(active, pf, address, TcpAcceptor.Tls.NONE));
        }
        return out;
    }

    /** A port forward's listeners on one address: one per port of its range and per protocol. */
    private List<Listener> portListeners(
            ActiveForward active, PortForward pf, InetAddress address, TcpAcceptor.Tls wrap) {
        List<Listener> out = new ArrayList<>();
        PortRange ports = pf.listen().ports();
        for (int port = ports.first(); port <= ports.last(); port++) {
            if (pf.protocols().contains(Protocol.TCP)) {
                int listenPort = port;
                out.add(new TcpListener(
                        transport,
                        null,
                        active,
                        address,
                        port,
                        () -> new TcpAcceptor(active, policy, direct, listenPort, wrap)));
            }
            if (pf.protocols().contains(Protocol.UDP)) {
                out.add(new UdpListener(transport, active, policy, address, port));
            }
        }
        return out;
    }

    /** A tunnel client's public ports, accepted on its connection's loop so one thread carries each flow. */
    private List<Listener> tunnelSessionListeners(ActiveForward active, TunnelSessionForward tf) {
        List<Listener> out = new ArrayList<>();
        Dialer back = tunnels.back(tf);
        UdpFlow.Opener backUdp = tunnels.backUdp(tf);
        PortRange ports = tf.listen().ports();
        for (int port = ports.first(); port <= ports.last(); port++) {
            int listenPort = port;
            if (tf.protocols().contains(Protocol.TCP)) {
                out.add(new TcpListener(
                        transport,
                        tunnels.sessionLoop(tf.session()),
                        active,
                        tf.listen().address(),
                        port,
                        () -> new TcpAcceptor(active, policy, back, listenPort, TcpAcceptor.Tls.NONE)));
            }
            if (tf.protocols().contains(Protocol.UDP)) {
                out.add(new UdpListener(
                        transport,
                        tunnels.sessionLoop(tf.session()),
                        active,
                        policy,
                        tf.listen().address(),
                        port,
                        backUdp));
            }
        }
        return out;
    }

    /** The TLS contexts a forward's connections need (built once here, not per connection). */
    private TcpAcceptor.Tls tlsFor(Forward f) throws IOException {
        Protection p = f.limits().protection();
        SslContext server = p.tls() == null
                ? null
                : tls.server(
                        f.name(),
                        p.tls(),
                        f.listen().address().isAnyLocalAddress()
                                ? "localhost"
                                : f.listen().address().getHostAddress());
        SslContext client = p.targetTls() ? tls.client(p.targetCa()) : null;
        return new TcpAcceptor.Tls(server, client);
    }

    /** A listener that cannot open: the forward shows as failed with the reason, and is retried. */
    private static Listener failed(Forward f, IOException e) {
        return new Listener() {
            @Override
            public Future<?> open() {
                return ImmediateEventExecutor.INSTANCE.newFailedFuture(e);
            }

            @Override
            public void close() {}

            @Override
            public String describe() {
                return f.listen().toString();
            }
        };
    }
}
