package dev.portgate;

import dev.portgate.config.ConfigReloader;
import dev.portgate.config.ForwardJson;
import dev.portgate.config.GatewayConfig;
import dev.portgate.forward.Forward;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Origin;
import dev.portgate.http.HttpRouting;
import dev.portgate.igd.IgdService;
import dev.portgate.igd.Upstream;
import dev.portgate.kernel.KernelPlane;
import dev.portgate.kernel.KernelSettings;
import dev.portgate.net.DirectDialer;
import dev.portgate.net.EgressObserver;
import dev.portgate.net.EgressPort;
import dev.portgate.net.KeyStores;
import dev.portgate.net.ListenerFactory;
import dev.portgate.net.SideConnections;
import dev.portgate.net.TargetProbe;
import dev.portgate.net.TlsContexts;
import dev.portgate.net.Transport;
import dev.portgate.policy.Bans;
import dev.portgate.policy.Doors;
import dev.portgate.policy.KnockPort;
import dev.portgate.policy.Knocks;
import dev.portgate.policy.LoginThrottle;
import dev.portgate.policy.Policy;
import dev.portgate.rules.Actor;
import dev.portgate.rules.ChangeResult;
import dev.portgate.rules.Expiry;
import dev.portgate.rules.FileClaims;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.NodeRetirement;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import dev.portgate.socks.ProxyServices;
import dev.portgate.ssh.SessionRules;
import dev.portgate.ssh.SshEndpoints;
import dev.portgate.ssh.SshIo;
import dev.portgate.ssh.SshServerRunner;
import dev.portgate.ssh.TunnelServer;
import dev.portgate.store.Accounts;
import dev.portgate.store.AuditLog;
import dev.portgate.store.BanStore;
import dev.portgate.store.Database;
import dev.portgate.store.FileShelf;
import dev.portgate.store.NodeRegistry;
import dev.portgate.store.NodeSettings;
import dev.portgate.store.Nodes;
import dev.portgate.store.PostgresDatabase;
import dev.portgate.store.SharedFileShelf;
import dev.portgate.store.SharedPolicy;
import dev.portgate.store.SharedRuleStore;
import dev.portgate.store.SqliteDatabase;
import dev.portgate.store.SqliteRuleStore;
import dev.portgate.store.StoreSettings;
import dev.portgate.store.TrafficTotals;
import dev.portgate.trigger.Triggers;
import dev.portgate.tunnel.NodeLinks;
import dev.portgate.tunnel.TunnelEndpointConfig;
import dev.portgate.tunnel.TunnelEndpoints;
import dev.portgate.tunnel.TunnelHub;
import dev.portgate.tunnel.TunnelLinks;
import dev.portgate.tunnel.TunnelOpens;
import dev.portgate.tunnel.TunnelServerRunner;
import dev.portgate.tunnel.TunnelSessions;
import dev.portgate.tunnel.Via;
import dev.portgate.web.ConsoleLaunch;
import dev.portgate.web.WebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon, wired by hand: the one place where every part is built and connected. */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    /** How long a forward may go unused before its target is checked by a probe. */
    private static final Duration TARGET_PROBE_EVERY = Duration.ofSeconds(60);

    /** How the gateway is run: the CLI's serve options. {@code console} null means no console. */
    public record Settings(
            Path config,
            Path data,
            Duration shutdownGrace,
            int threads,
            Duration connectTimeout,
            Console console,
            KernelSettings kernel,
            StoreSettings store,
            NodeSettings node) {

        /** Without kernel, store and node sections: the kernel data plane off, SQLite (the foreground tools, tests). */
        public Settings(
                Path config, Path data, Duration shutdownGrace, int threads, Duration connectTimeout, Console console) {
            this(
                    config,
                    data,
                    shutdownGrace,
                    threads,
                    connectTimeout,
                    console,
                    KernelSettings.OFF,
                    StoreSettings.EMBEDDED,
                    NodeSettings.defaults());
        }
    }

    /** Where the console listens and how: TLS (given key store, or self-signed) or, if asked, plain. */
    public record Console(
            InetSocketAddress address,
            boolean insecure,
            boolean tls,
            Path keyStore,
            String keyStorePassword,
            String adminPassword,
            String apiToken) {}

    private final Settings settings;
    private final DataFolder data;
    private final Database db;
    private final String node;
    private final NodeRegistry registry;
    private final SharedPolicy sharedPolicy;
    private final Nodes nodes;
    private final AuditLog audit;
    private final Accounts accounts;
    private final Transport transport;
    private final SshIo sshIo;
    private final Bans bans;
    private final Policy policy;
    private final Knocks knocks;
    private final DirectDialer direct;
    private final ExecutorService authWorkers;
    private final ExecutorService sshChanges;
    private final LoginThrottle throttle;
    private final SshEndpoints endpoints;
    private final TunnelEndpoints tunnelEndpoints;
    private final TunnelLinks tunnelLinks;
    private final KernelPlane kernel;
    private final Reconciler reconciler;
    private final RuleService rules;
    /** On a shared store, what this node's config file declares: it takes on what other nodes' files let go of. */
    private final FileClaims fileClaims;

    private boolean kernelReleased;
    /** The SSH server's -L/-D channels and the egress listener's connections: listed, though no forward owns them. */
    private final SideConnections side;

    private final Triggers triggers;
    private final Expiry expiry;
    private final TargetProbe probe;
    private final IgdService igd;
    private final Upstream upstream;
    private final KnockPort knockPort;
    private final EgressPort egress;
    private final SshServerRunner ssh;
    private final TunnelServerRunner tunnelServer;
    private final NodeLinks nodeLinks;
    private final HttpRouting httpRouting;
    private final ConfigReloader reloader;
    private final WebServer web;

    public Gateway(Settings settings) throws IOException {
        this.settings = settings;
        this.data = new DataFolder(settings.data());
        // On a shared store each node is named in what it writes; alone it needs no name.
        this.node = settings.store().shared() ? settings.node().name() : "";
        try {
            this.db = settings.store().shared()
                    ? new PostgresDatabase(settings.store())
                    : new SqliteDatabase(data.path());
        } catch (SQLException e) {
            data.close();
            throw new IOException(
                    settings.store().shared()
                            ? e.getMessage()
                            : "cannot open the store in " + data.path() + ": " + e.getMessage(),
                    e);
        }
        this.audit = new AuditLog(db, node);
        try {
            this.registry = db instanceof PostgresDatabase shared
                    ? new NodeRegistry(shared, settings.node(), BuildVersion.get()).start()
                    : null;
        } catch (SQLException | IllegalStateException e) {
            db.close();
            data.close();
            throw new IOException(e.getMessage(), e);
        }
        this.nodes = new Nodes(registry, settings.node(), BuildVersion.get());
        this.accounts = new Accounts(db);
        this.transport = new Transport(settings.threads());
        this.sshIo = new SshIo(transport, settings.threads());
        this.bans = new Bans(Clock.systemUTC(), audit::banned);
        this.sharedPolicy = db instanceof PostgresDatabase shared ? new SharedPolicy(shared, node) : null;
        bans.store(sharedPolicy != null ? sharedPolicy : new BanStore(db));
        this.policy = new Policy(bans, new Doors(Clock.systemUTC()));
        this.knocks = new Knocks(name -> rules().get(name), policy.doors(), bans, Clock.systemUTC());
        this.direct =
                new DirectDialer(transport, (int) settings.connectTimeout().toMillis());
        this.authWorkers = Executors.newFixedThreadPool(2, daemon("auth"));
        // The SSH and tunnel servers' session forwards change rules here, one at a time, never on a network loop.
        this.sshChanges = Executors.newSingleThreadExecutor(daemon("session-rules"));
        this.throttle = new LoginThrottle(bans, "ssh/proxy login");
        this.endpoints = new SshEndpoints(sshIo, direct);
        this.tunnelEndpoints = new TunnelEndpoints(transport, direct, data.path());
        this.tunnelLinks = new TunnelLinks();
        // Proxies and the egress listener tell the triggers of outbound traffic; the triggers need the rules, made
        // below.
        EgressObserver outbound = (device, protocol, port) -> triggers().outbound(device, protocol, port);
        Via via = new Via(endpoints, tunnelEndpoints, tunnelLinks);
        ProxyServices proxies = new ProxyServices(transport, policy, direct, via, authWorkers, throttle, outbound);
        try {
            this.kernel = KernelPlane.open(settings.kernel(), data.path().toString(), policy, Clock.systemUTC());
        } catch (IOException e) {
            transport.close();
            sshIo.close();
            data.close();
            throw e;
        }
        policy.doors().watch(new Doors.Watcher() {
            @Override
            public void opened(Doors.Open open) {
                kernel.doorOpened(open);
            }

            @Override
            public void closed(String forward, InetAddress source) {
                kernel.doorClosed(forward, source);
            }
        });
        if (sharedPolicy != null) {
            policy.doors().share(sharedPolicy);
            sharedPolicy.follow(bans, policy.doors());
        }
        // Files every node must hold alike (the ACME account and certificates, the SSH host key).
        FileShelf shelf = db instanceof PostgresDatabase shared ? new SharedFileShelf(shared, node) : FileShelf.LOCAL;
        TlsContexts forwardTls = new TlsContexts(data.path().resolve("tls"));
        this.httpRouting = new HttpRouting(
                transport,
                policy,
                direct,
                forwardTls,
                data.path().resolve("tls"),
                shelf,
                accounts,
                new LoginThrottle(bans, "site login"),
                audit,
                authWorkers);
        this.reconciler = new Reconciler(
                new ListenerFactory(transport, policy, direct, proxies, via, forwardTls, httpRouting),
                kernel,
                settings.node().name());
        SharedRuleStore sharedRules =
                db instanceof PostgresDatabase shared ? new SharedRuleStore(shared, audit, node) : null;
        this.rules = new RuleService(sharedRules != null ? sharedRules : new SqliteRuleStore(db, audit));
        rules.subscribe(reconciler);
        this.fileClaims = new FileClaims(rules, sshChanges);
        if (registry != null) {
            rules.subscribe(fileClaims); // alone, no other file lets go of anything: not worth a look per change
        }
        rules.followPeers();
        if (registry != null) {
            nodes.retirement(new NodeRetirement(registry, rules, fileClaims, audit));
            registry.whileLeader(sharedRules::pruneOld);
            registry.whileLeader(sharedPolicy::pruneOld);
            registry.report(() -> {
                Map<String, NodeRegistry.Running> states = new HashMap<>();
                reconciler
                        .status()
                        .forEach((name, s) -> states.put(
                                name,
                                new NodeRegistry.Running(
                                        node,
                                        s.state().name().toLowerCase(Locale.ROOT),
                                        s.error() == null ? "" : s.error(),
                                        true)));
                return states;
            });
        }
        this.side = new SideConnections(reconciler.connectionIds());
        this.triggers = new Triggers(rules, Clock.systemUTC(), node);
        this.expiry = new Expiry(rules, reconciler, Clock.systemUTC(), nodes::leader).start();
        this.probe = new TargetProbe(
                        transport,
                        () -> reconciler.status().values().stream()
                                .map(ForwardStatus::active)
                                .filter(Objects::nonNull)
                                .toList(),
                        TARGET_PROBE_EVERY)
                .start();
        this.igd = new IgdService(rules, reconciler, transport, Clock.systemUTC(), node);
        this.upstream = new Upstream(rules, igd, Clock.systemUTC());
        this.knockPort = new KnockPort(transport, knocks, audit, authWorkers);
        this.egress = new EgressPort(transport, direct, outbound, side);
        SessionRules sessionRules =
                new SessionRules(rules, reconciler, endpoints.serverSessions(), sshChanges, httpRouting);
        this.ssh = new SshServerRunner(config ->
                new TunnelServer(config, data.path(), throttle, authWorkers, sessionRules, direct, sshIo, side, shelf));
        LoginThrottle tunnelThrottle = new LoginThrottle(bans, "tunnel login");
        TunnelSessions tunnelSessions = new TunnelSessions(
                rules, reconciler, audit, sshChanges, tunnelLinks, httpRouting, TunnelSessions.Kind.CLIENTS);
        this.tunnelServer = new TunnelServerRunner(config -> new TunnelHub(
                config,
                transport,
                data.path(),
                tunnelThrottle,
                tunnelSessions,
                new TunnelOpens(direct, side, audit, authWorkers)));
        this.nodeLinks = registry == null || settings.node().address().isEmpty()
                ? null
                : startNodeLinks(
                        settings.node(),
                        new TunnelSessions(
                                rules,
                                reconciler,
                                audit,
                                sshChanges,
                                tunnelLinks,
                                httpRouting,
                                TunnelSessions.Kind.NODES),
                        via);
        if (nodeLinks != null) {
            nodes.links(nodeLinks::stateOf);
        }
        this.reloader = new ConfigReloader(settings.config(), this::apply, new ConfigReloader.Listener() {
            @Override
            public void refused(ConfigReloader.Refusal r) {
                audit.record(
                        Actor.config(r.file().toString()),
                        "config.refused",
                        r.file().toString(),
                        r.problems().size() + " problem(s): "
                                + String.join(
                                        "; ",
                                        r.problems().stream()
                                                .map(Object::toString)
                                                .toList()));
            }

            @Override
            public void recovered(Path file) {
                audit.record(Actor.config(file.toString()), "config.accepted", file.toString(), "a good file again");
            }
        });
        this.web = settings.console() == null
                ? null
                : ConsoleLaunch.start(
                        settings.console(),
                        data.path(),
                        accounts,
                        node,
                        tls -> new WebServer(
                                new WebServer.Settings(settings.console().address(), tls),
                                rules,
                                reconciler,
                                side,
                                accounts,
                                audit,
                                endpoints,
                                igd,
                                upstream,
                                policy,
                                triggers,
                                kernel,
                                reloader,
                                probe,
                                new TrafficTotals(db, node),
                                tunnelServer,
                                tunnelEndpoints,
                                httpRouting,
                                nodes));
        if (web != null) {
            igd.consoleUrl(web.url());
        }
    }

    public RuleService rules() {
        return rules;
    }

    public Reconciler reconciler() {
        return reconciler;
    }

    public Settings settings() {
        return settings;
    }

    /** The console's URL, or null without a console. */
    public String consoleUrl() {
        return web == null ? null : web.url();
    }

    /** Applies a validated config; the forwards it declares replace the previous config's. */
    public ChangeResult apply(GatewayConfig config) {
        String file = settings.config() == null ? "" : settings.config().toString();
        endpoints.apply(config.sshEndpoints());
        tunnelEndpoints.apply(config.tunnelEndpoints());
        ChangeResult result;
        if (registry == null) {
            result = rules.replaceAll(Origin.Kind.CONFIG, config.forwards(), Actor.config(file));
        } else {
            // On a shared store this node's file owns the config forwards it declared, named for node and file.
            Origin mine = Origin.config(node + ":" + file);
            List<Forward> declared = config.forwards().stream()
                    .map(f -> ForwardJson.withOrigin(f, mine))
                    .toList();
            result = rules.replaceAll(Origin.Kind.CONFIG, mine.owner(), declared, Actor.config(mine.owner()));
            if (result instanceof ChangeResult.Applied) {
                fileClaims.declared(mine.owner(), declared);
            }
        }
        reconciler.awaitApplied();
        if (!kernelReleased) {
            // The first config is in: write the kernel's table once, with every kernel forward.
            kernelReleased = true;
            reconciler.releaseKernel();
        } else if (!config.kernel().equals(settings.kernel())) {
            log.warn("kernel: changes to this section take effect at the next start");
        }
        if (result instanceof ChangeResult.Applied) {
            policy.firewall(config.firewall());
            bans.settings(config.bans());
            knockPort.apply(config.knock());
            triggers.apply(config.triggers());
            egress.apply(config.transparentEgress());
            ssh.apply(config.sshServer());
            tunnelServer.apply(config.tunnelServer());
            httpRouting.apply(config.httpRouting());
            igd.apply(config.igd());
            upstream.apply(config.upstream());
        }
        return result;
    }

    /** The knock port, or -1 when there is none. */
    public int knockPort() {
        return knockPort.port();
    }

    public Triggers triggers() {
        return triggers;
    }

    public Knocks knocks() {
        return knocks;
    }

    public Policy policy() {
        return policy;
    }

    public AuditLog audit() {
        return audit;
    }

    public Upstream upstream() {
        return upstream;
    }

    public IgdService igd() {
        return igd;
    }

    public SshEndpoints endpoints() {
        return endpoints;
    }

    public TunnelEndpoints tunnelEndpoints() {
        return tunnelEndpoints;
    }

    public Accounts accounts() {
        return accounts;
    }

    public HttpRouting httpRouting() {
        return httpRouting;
    }

    public TunnelServerRunner tunnelServer() {
        return tunnelServer;
    }

    /** The SSH server's port, or -1 when it does not run. */
    public int sshPort() {
        return ssh.port();
    }

    /** Re-reads the config file; a config that does not validate is refused whole and the running rules stay. */
    public void reloadConfig() {
        reloader.reload();
    }

    /** Stops accepting, lets open connections finish within the grace period, then closes everything. */
    public void shutdown() {
        reconciler.drain(settings.shutdownGrace());
        kernel.stop();
        close();
    }

    /**
     * The node-link server and this node's links to the others; a node whose link cannot start (its port taken)
     * still forwards, only without the other nodes' tunnel clients' ports.
     */
    private NodeLinks startNodeLinks(NodeSettings node, TunnelSessions linkSessions, Via via) {
        try {
            KeyStores.KeyStoreFile certificate = NodeLinks.certificate(data.path(), node);
            ListenSpec listen = NodeLinks.listenOn(node);
            TunnelHub hub = new TunnelHub(
                    NodeLinks.serverConfig(listen, certificate, Map.of()),
                    transport,
                    data.path(),
                    // Not the shared bans: a node refused while the others learn its certificate is no attacker.
                    new LoginThrottle(),
                    linkSessions,
                    new TunnelOpens(direct, side, audit, authWorkers));
            return new NodeLinks(
                            registry,
                            reconciler,
                            via,
                            tunnelLinks,
                            transport,
                            direct,
                            certificate,
                            listen,
                            TunnelEndpointConfig.Mode.parse(node.linkTransport()),
                            hub)
                    .start();
        } catch (IOException | RuntimeException e) {
            log.error(
                    "node {}: the node link cannot start, other nodes' tunnel clients get no ports here: {}",
                    node.name(),
                    e.getMessage());
            return null;
        }
    }

    /** Threads named {@code name} that do not keep the JVM alive. */
    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        if (web != null) {
            web.close();
        }
        ssh.close();
        tunnelServer.close();
        if (nodeLinks != null) {
            nodeLinks.close();
        }
        httpRouting.close();
        // Let the ended sessions' forwards be removed (and audited) while the rules still run.
        sshChanges.shutdown();
        try {
            sshChanges.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        knockPort.close();
        egress.close();
        upstream.close();
        triggers.close();
        igd.close();
        expiry.close();
        probe.close();
        reconciler.close();
        kernel.close();
        endpoints.close();
        tunnelEndpoints.close();
        authWorkers.shutdownNow();
        sshIo.close();
        transport.close();
        rules.close();
        if (sharedPolicy != null) {
            sharedPolicy.close();
        }
        if (registry != null) {
            registry.close();
        }
        try {
            db.close();
        } catch (RuntimeException e) {
            log.debug("closing the store: {}", e.toString());
        }
        try {
            data.close();
        } catch (IOException e) {
            log.debug("releasing the data folder lock: {}", e.toString());
        }
    }

    public KernelPlane kernel() {
        return kernel;
    }

    public SideConnections sideConnections() {
        return side;
    }
}
