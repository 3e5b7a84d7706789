package dev.portgate.tunnel;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Forward;
import dev.portgate.forward.HttpForward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.RemoteForward;
import dev.portgate.forward.SiteSession;
import dev.portgate.forward.SshSessionForward;
import dev.portgate.forward.TargetSpec;
import dev.portgate.forward.TunnelSessionForward;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Dialer;
import dev.portgate.net.KeyStores;
import dev.portgate.net.Transport;
import dev.portgate.net.Tunnels;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.Reconciler;
import dev.portgate.store.NodeRegistry;
import dev.portgate.store.NodeSettings;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Any node serves any tunnel. The ports a tunnel or SSH client opened on this node open on every other node too:
 * this node is a tunnel client of each of them (a node link), asking each for the same ports; a player who arrives
 * there comes here on a stream or as datagrams of that link and goes on to the client. The other nodes connect
 * here the same way, to the node-link server. Each node's certificate is made in its data folder and published
 * with its heartbeat: the nodes pin each other's, both ways (mutual TLS), so the store is what they trust.
 * A node that goes down is disconnected from the others' node-link servers, and the ports it held there close.
 */
public final class NodeLinks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeLinks.class);

    /** How often the nodes and this node's client ports are looked at again. */
    private static final long EVERY_MILLIS = 500;
    /**
     * A port another node did not open (taken there, no name routing there) is asked for again after this, doubled
     * each time up to a minute: a lasting refusal is not logged every two seconds.
     */
    private static final long ASK_AGAIN_NANOS = TimeUnit.SECONDS.toNanos(2);

    private static final long ASK_AGAIN_AT_MOST_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final Duration RETRY_AT_MOST = Duration.ofSeconds(2);
    /** Pings on a node link: a node that stops answering three is left (then tried again). */
    private static final Duration KEEPALIVE = Duration.ofSeconds(1);

    private final NodeRegistry registry;
    private final Reconciler reconciler;
    private final Tunnels via;
    private final TunnelLinks clients;
    private final Transport transport;
    private final Dialer direct;
    private final KeyStores.KeyStoreFile certificate;
    private final TunnelHub hub;
    private final ListenSpec listen;
    /** How this node dials the others: TCP by default (cheaper per byte than QUIC here, see bench/RESULTS.md). */
    private final TunnelEndpointConfig.Mode mode;

    private final EventLoop loop;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "node-links");
        t.setDaemon(true);
        return t;
    });

    /** The other nodes this one links to, by name; touched on the timer only. */
    private final Map<String, Peer> peers = new HashMap<>();
    /** How this node's link to each other node stands, for the console: name → "connected", "retrying: …". */
    private volatile Map<String, String> states = Map.of();
    /** The nodes the node-link server admits now: name → certificate. */
    private Map<String, String> admitted = Map.of();

    /** Until when (System.nanoTime) a node missing from the nodes that are up is not taken for down. */
    private long believeDownFrom = System.nanoTime();

    /** When this node first saw its own certificate in the store (System.nanoTime), 0 before. */
    private long publishedAt;

    private KeyManagerFactory keys;
    private String fingerprint;

    /** A node linked to, and the ports of this node's clients asked of it. */
    private record Peer(NodeRegistry.Node node, TunnelEndpoint endpoint, Map<String, Asked> asked) {}

    /** One port asked of a node: for which client port, its arrivals going where, when last asked. */
    private record Asked(Forward source, RemoteForward forward, Onward onward, long at, int times) {

        boolean due(long now) {
            return now - at >= Math.min(ASK_AGAIN_AT_MOST_NANOS, ASK_AGAIN_NANOS << Math.min(times - 1, 5));
        }
    }

    public NodeLinks(
            NodeRegistry registry,
            Reconciler reconciler,
            Tunnels via,
            TunnelLinks clients,
            Transport transport,
            Dialer direct,
            KeyStores.KeyStoreFile certificate,
            ListenSpec listen,
            TunnelEndpointConfig.Mode mode,
            TunnelHub hub) {
        this.mode = mode;
        this.registry = registry;
        this.reconciler = reconciler;
        this.via = via;
        this.clients = clients;
        this.transport = transport;
        this.direct = direct;
        this.certificate = certificate;
        this.listen = listen;
        this.hub = hub;
        this.loop = transport.tunnelLoop();
    }

    /** This node's node-link certificate, made in the data folder on first start. */
    public static KeyStores.KeyStoreFile certificate(Path data, NodeSettings node) throws IOException {
        return KeyStores.selfSigned(
                data.resolve("node-link.p12"), "portgate node " + node.name(), host(node.address()));
    }

    /** Where the node-link server listens: the port of {@code node.address}, on its address when it is one. */
    public static ListenSpec listenOn(NodeSettings node) {
        String host = host(node.address());
        String port = node.address().substring(node.address().lastIndexOf(':') + 1);
        boolean literal = Addresses.literal(host) != null;
        return ListenSpec.parse(
                (literal ? (host.contains(":") ? "[" + host + "]" : host) : host.contains(":") ? "[::]" : "0.0.0.0")
                        + ":" + port);
    }

    /** The node-link server's settings: every node now up is a client, known by its certificate alone. */
    public static TunnelServerConfig serverConfig(
            ListenSpec listen, KeyStores.KeyStoreFile certificate, Map<String, String> nodes) {
        List<TunnelServerConfig.Client> admitted = new ArrayList<>();
        nodes.forEach((name, fingerprint) -> admitted.add(new TunnelServerConfig.Client(
                name,
                null,
                List.of(TunnelServerConfig.Permit.parse("0.0.0.0:1-65535")),
                List.of(),
                List.of(fingerprint),
                List.of())));
        return new TunnelServerConfig(listen, certificate.path(), certificate.password(), admitted);
    }

    private static String host(String address) {
        String h = address.substring(0, Math.max(0, address.lastIndexOf(':')));
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    public NodeLinks start() throws IOException {
        try {
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(KeyStores.load(certificate), certificate.password().toCharArray());
        } catch (GeneralSecurityException e) {
            throw new IOException("node link: cannot use " + certificate.path() + ": " + e.getMessage(), e);
        }
        fingerprint = TunnelEndpointConfig.normalize(KeyStores.fingerprint(certificate));
        hub.start();
        registry.linkFingerprint(fingerprint);
        log.info("node link: listening on {}, certificate sha256:{}", listen, fingerprint);
        timer.scheduleWithFixedDelay(this::syncSafely, 0, EVERY_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    private void syncSafely() {
        try {
            sync();
        } catch (RuntimeException e) {
            log.warn("node link: {}", e.toString());
        }
    }

    private void sync() {
        List<NodeRegistry.Node> nodes;
        try {
            nodes = registry.nodes();
        } catch (RuntimeException storeAway) {
            // Without the store nothing is known afresh: the links stay as they are. When it is back, every node's
            // last heartbeat is as old as the outage, so none is taken for down until they have all beaten again.
            believeDownFrom = System.nanoTime() + NodeRegistry.DOWN_AFTER.toNanos();
            return;
        }
        boolean believeDown = System.nanoTime() - believeDownFrom >= 0;
        Map<String, NodeRegistry.Node> up = new TreeMap<>();
        for (NodeRegistry.Node n : nodes) {
            if (!n.self()
                    && n.up()
                    && !n.linkFingerprint().isEmpty()
                    && !n.address().isEmpty()) {
                up.put(n.name(), n);
            }
        }
        admit(up, believeDown);
        if (!published(nodes)) {
            // Until the others can know this node by its certificate, a link to them would only be refused.
            return;
        }
        Map<String, ForwardStatus> ports = clientPorts();
        peers.entrySet().removeIf(e -> {
            NodeRegistry.Node now = up.get(e.getKey());
            if ((now == null && !believeDown)
                    || (now != null
                            && now.address().equals(e.getValue().node().address())
                            && now.linkFingerprint().equals(e.getValue().node().linkFingerprint()))) {
                return false;
            }
            log.info("node link to {}: {}", e.getKey(), now == null ? "the node is down or gone" : "the node moved");
            e.getValue().endpoint().close();
            return true;
        });
        for (NodeRegistry.Node n : up.values()) {
            Peer p = peers.get(n.name());
            if (p == null) {
                p = link(n);
                if (p == null) {
                    continue;
                }
                peers.put(n.name(), p);
            }
            ask(p, ports);
        }
        Map<String, String> now = new HashMap<>();
        peers.forEach((name, p) -> {
            TunnelEndpoint.Status st = p.endpoint().status();
            now.put(
                    name,
                    st.state().equals("connected") || st.lastError() == null
                            ? st.state() + " (" + st.transport() + ")"
                            : st.state() + ": " + st.lastError());
        });
        states = Map.copyOf(now);
    }

    /** This node's link to {@code node}: "connected (quic)", "retrying: …", or "" when there is none. */
    public String stateOf(String node) {
        return node.equals(registry.name()) ? "listening on " + listen : states.getOrDefault(node, "");
    }

    /** True once this node's certificate has been in the store for two rounds: the others have read it by then. */
    private boolean published(List<NodeRegistry.Node> nodes) {
        if (publishedAt == 0) {
            boolean there =
                    nodes.stream().anyMatch(n -> n.self() && n.linkFingerprint().equals(fingerprint));
            publishedAt = there ? System.nanoTime() : 0;
            return false;
        }
        return System.nanoTime() - publishedAt > TimeUnit.MILLISECONDS.toNanos(2 * EVERY_MILLIS);
    }

    /**
     * The node-link server admits exactly the nodes that are up: one that went down is disconnected here. Right
     * after a store outage ({@code believeDown} false) it only admits more.
     */
    private void admit(Map<String, NodeRegistry.Node> up, boolean believeDown) {
        Map<String, String> next = new TreeMap<>(believeDown ? Map.of() : admitted);
        up.values().forEach(n -> next.put(n.name(), n.linkFingerprint()));
        if (!next.equals(admitted)) {
            admitted = next;
            hub.update(serverConfig(listen, certificate, next));
        }
    }

    private Peer link(NodeRegistry.Node n) {
        String address = n.address();
        int colon = address.lastIndexOf(':');
        try {
            TunnelEndpointConfig config = new TunnelEndpointConfig(
                    "node " + n.name(),
                    host(address),
                    Integer.parseInt(address.substring(colon + 1)),
                    registry.name(),
                    "",
                    n.linkFingerprint(),
                    null,
                    mode,
                    KEEPALIVE,
                    "node-link");
            // Its node is up (the store says so): after a refusal — it had not read this node's certificate yet — or
            // a lost connection, it is tried again within seconds, not after the half minute a tunnel client waits.
            TunnelEndpoint endpoint =
                    new TunnelEndpoint(config, keys, transport, loop, direct, timer).retryingAtMost(RETRY_AT_MOST);
            endpoint.start();
            log.info("node link to {} at {}", n.name(), address);
            return new Peer(n, endpoint, new HashMap<>());
        } catch (IOException | RuntimeException e) {
            log.warn("node link to {} at {}: {}", n.name(), address, e.getMessage());
            return null;
        }
    }

    /** Asks the node for every client port of this node it does not hold yet, and lets go of the ports that went. */
    private void ask(Peer p, Map<String, ForwardStatus> ports) {
        TunnelEndpoint ep = p.endpoint();
        long now = System.nanoTime();
        for (var it = p.asked().entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            ForwardStatus s = ports.get(e.getKey());
            if (s == null || !s.forward().equals(e.getValue().source())) {
                ep.closeRemote(e.getKey());
                it.remove();
            }
        }
        for (ForwardStatus s : ports.values()) {
            Forward f = s.forward();
            Asked a = p.asked().get(f.name());
            if (a == null) {
                a = new Asked(f, remoteFor(f, ep.name()), onwardFor(f), now, 1);
            } else if (ep.listening(f.name())) {
                if (a.times() > 1) {
                    p.asked().put(f.name(), new Asked(f, a.forward(), a.onward(), a.at(), 1));
                }
                continue;
            } else if (!ep.connected() || !a.due(now)) {
                continue;
            } else {
                a = new Asked(f, a.forward(), a.onward(), now, a.times() + 1);
            }
            p.asked().put(f.name(), a);
            ep.openRemote(s.active(), a.forward(), a.onward());
        }
    }

    /**
     * This node's client ports and sites that run here: tunnel clients' and {@code ssh -R} ones; never those another
     * node's link holds here, which that node's clients own.
     */
    private Map<String, ForwardStatus> clientPorts() {
        Map<String, ForwardStatus> out = new HashMap<>();
        for (ForwardStatus s : reconciler.status().values()) {
            Forward f = s.forward();
            // By session, and by name for a link that has just ended and whose forwards are still going.
            boolean ours = !f.name().startsWith(TunnelSessions.Kind.NODES.prefix)
                    && ((f instanceof TunnelSessionForward tf && !clients.fromNode(tf.session()))
                            || f instanceof SshSessionForward
                            || (f instanceof HttpForward hf
                                    && hf.session() != null
                                    && !hf.host().wildcard()
                                    && !(hf.session() instanceof SiteSession.Tunnel t && clients.fromNode(t.id()))));
            if (ours && s.state() == ForwardStatus.State.LISTENING && s.active() != null) {
                out.put(f.name(), s);
            }
        }
        return out;
    }

    /**
     * What a client's port is asked as of another node: the same port, for the same protocols and sources; or the
     * same site by name.
     */
    private static RemoteForward remoteFor(Forward f, String endpoint) {
        if (f instanceof HttpForward site) {
            return new RemoteForward(
                    f.name(),
                    true,
                    f.description(),
                    f.origin(),
                    RemoteForward.SITE_PORT,
                    endpoint,
                    new TargetSpec("localhost", RemoteForward.SITE_PORT.ports()),
                    Set.of(Protocol.TCP),
                    Limits.NONE,
                    ProxyProtocol.NONE,
                    site.host().name());
        }
        Set<Protocol> carried = f.protocols();
        return new RemoteForward(
                f.name(),
                true,
                f.description(),
                f.origin(),
                f.listen(),
                endpoint,
                new TargetSpec("localhost", f.listen().ports()),
                carried,
                f.limits(),
                ProxyProtocol.NONE,
                null);
    }

    private Onward onwardFor(Forward f) {
        if (f instanceof TunnelSessionForward tf) {
            return new ToTunnelClient(tf);
        }
        if (f instanceof HttpForward site) {
            return new ToSiteClient(site);
        }
        return new ToSshClient((SshSessionForward) f);
    }

    /** On to the tunnel client of this node that opened the port: a stream per connection, its flows for UDP. */
    private final class ToTunnelClient implements Onward {
        private final TunnelSessionForward forward;

        ToTunnelClient(TunnelSessionForward forward) {
            this.forward = forward;
        }

        @Override
        public Future<Channel> dial(Channel stream, Arrival arrival) {
            return via.back(forward).dial(stream, "tunnel", arrival.port());
        }

        @Override
        public EndpointFlow flow(ServerLink link, int id, Arrival arrival, ActiveForward active) {
            ClientLink client = clients.get(forward.session());
            if (client == null) {
                return null;
            }
            return NodeFlow.open(
                    link,
                    id,
                    client,
                    active,
                    new Arrival(forward.request(), arrival.port(), arrival.from()),
                    forward.limits().idleTimeoutFor(Protocol.UDP));
        }

        @Override
        public String describe() {
            return "tunnel client " + forward.origin().owner();
        }
    }

    /** On to the tunnel or SSH client of this node that serves a site by name: its requests, as they came. */
    private final class ToSiteClient implements Onward {
        private final HttpForward site;

        ToSiteClient(HttpForward site) {
            this.site = site;
        }

        @Override
        public Future<Channel> dial(Channel stream, Arrival arrival) {
            Dialer back = site.session() instanceof SiteSession.Tunnel t
                    ? via.back(site.name(), t)
                    : via.session(site.session().id());
            return back.dial(stream, site.target().host(), site.target().ports().first());
        }

        @Override
        public EndpointFlow flow(ServerLink link, int id, Arrival arrival, ActiveForward active) {
            return null;
        }

        @Override
        public String describe() {
            return "the client serving " + site.host() + ", " + site.origin().owner();
        }
    }

    /** On to the SSH client of this node that asked for the port ({@code ssh -R}): a forwarded-tcpip channel. */
    private final class ToSshClient implements Onward {
        private final SshSessionForward forward;

        ToSshClient(SshSessionForward forward) {
            this.forward = forward;
        }

        @Override
        public Future<Channel> dial(Channel stream, Arrival arrival) {
            return via.session(forward.session())
                    .dial(
                            stream,
                            forward.requestedHost(),
                            forward.listen().ports().first());
        }

        @Override
        public EndpointFlow flow(ServerLink link, int id, Arrival arrival, ActiveForward active) {
            return null;
        }

        @Override
        public String describe() {
            return "SSH client " + forward.origin().owner();
        }
    }

    /** This node's node-link certificate (SHA-256, hex). */
    public String fingerprint() {
        return Objects.requireNonNullElse(fingerprint, "");
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        peers.values().forEach(p -> p.endpoint().close());
        peers.clear();
        hub.close();
    }
}
