package dev.portgate;

import dev.portgate.config.ConfigException;
import dev.portgate.config.ConfigFile;
import dev.portgate.config.GatewayConfig;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Problem;
import dev.portgate.igd.IgdService;
import dev.portgate.igd.Upstream;
import dev.portgate.net.DirectDialer;
import dev.portgate.net.KeyStores;
import dev.portgate.net.KnockListener;
import dev.portgate.net.ListenerFactory;
import dev.portgate.net.SideConnections;
import dev.portgate.net.TlsContexts;
import dev.portgate.net.TransparentEgress;
import dev.portgate.net.Transport;
import dev.portgate.policy.Bans;
import dev.portgate.policy.Doors;
import dev.portgate.policy.KnockConfig;
import dev.portgate.policy.Knocks;
import dev.portgate.policy.LoginThrottle;
import dev.portgate.policy.Policy;
import dev.portgate.rules.Actor;
import dev.portgate.rules.ChangeResult;
import dev.portgate.rules.Expiry;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import dev.portgate.socks.ProxyServices;
import dev.portgate.ssh.SessionRules;
import dev.portgate.ssh.SshEndpoints;
import dev.portgate.ssh.SshIo;
import dev.portgate.ssh.SshServerConfig;
import dev.portgate.ssh.TunnelServer;
import dev.portgate.store.Accounts;
import dev.portgate.store.AuditLog;
import dev.portgate.store.BanStore;
import dev.portgate.store.Database;
import dev.portgate.store.SqliteRuleStore;
import dev.portgate.trigger.Triggers;
import dev.portgate.web.ConsoleTls;
import dev.portgate.web.FirstRun;
import dev.portgate.web.WebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon, wired by hand: the one place where every part is built and connected. */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    /** How the gateway is run: the CLI's serve options. {@code console} null means no console. */
    public record Settings(
            Path config, Path data, Duration shutdownGrace, int threads, Duration connectTimeout, Console console) {}

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
    private final Transport transport;
    private final SshIo sshIo;
    private final RuleService rules;
    private final Reconciler reconciler;
    private final AuditLog audit;
    private final Accounts accounts;
    private final WebServer web;
    private final ExecutorService authWorkers;
    private final ExecutorService sshChanges;
    private final LoginThrottle throttle;
    private TunnelServer ssh;
    /** The SSH server's -L/-D channels and the egress listener's connections: listed, though no forward owns them. */
    private final SideConnections side;

    private final SshEndpoints endpoints;
    private final Expiry expiry;
    private final IgdService igd;
    private final Bans bans;
    private final Policy policy;
    private final Knocks knocks;
    private final Triggers triggers;
    private KnockListener knockListener;
    private TransparentEgress egress;
    private ListenSpec egressSpec;
    private final DirectDialer direct;
    private KnockConfig knockConfig;
    private final AtomicLong lastKnockAudit = new AtomicLong();
    private final Upstream upstream;

    public Gateway(Settings settings) throws IOException {
        this.settings = settings;
        this.data = new DataFolder(settings.data());
        try {
            this.db = new Database(data.path());
        } catch (SQLException e) {
            data.close();
            throw new IOException("cannot open the store in " + data.path() + ": " + e.getMessage(), e);
        }
        this.audit = new AuditLog(db);
        this.accounts = new Accounts(db);
        this.transport = new Transport(settings.threads());
        this.sshIo = new SshIo(transport, settings.threads());
        this.bans = new Bans(Clock.systemUTC(), ban -> {
            log.warn("banned {} until {}: {}", ban.source().getHostAddress(), ban.until(), ban.reason());
            audit.record(
                    new Actor("firewall", ban.source().getHostAddress()),
                    "ban",
                    ban.source().getHostAddress(),
                    ban.reason());
        });
        bans.store(new BanStore(db));
        this.policy = new Policy(bans, new Doors(Clock.systemUTC()));
        this.knocks = new Knocks(name -> rules().get(name), policy.doors(), bans, Clock.systemUTC());
        this.direct =
                new DirectDialer(transport, (int) settings.connectTimeout().toMillis());
        this.authWorkers = Executors.newFixedThreadPool(2, daemon("auth"));
        // The SSH server's session forwards (ssh -R) change rules here, one at a time, never on an SSH loop.
        this.sshChanges = Executors.newSingleThreadExecutor(daemon("ssh-rules"));
        this.throttle = new LoginThrottle(bans, "ssh/proxy login");
        this.endpoints = new SshEndpoints(sshIo, direct);
        // Proxies tell the triggers of outbound traffic; the triggers need the rules, made below.
        ProxyServices proxies = new ProxyServices(
                transport, policy, direct, endpoints, authWorkers, throttle, (device, protocol, port) -> triggers()
                        .outbound(device, protocol, port));
        this.reconciler = new Reconciler(new ListenerFactory(
                transport,
                policy,
                direct,
                proxies,
                endpoints,
                new TlsContexts(data.path().resolve("tls"))));
        this.rules = new RuleService(new SqliteRuleStore(db, audit));
        rules.subscribe(reconciler);
        this.side = new SideConnections(reconciler.connectionIds());
        this.triggers = new Triggers(rules, Clock.systemUTC());
        this.expiry = new Expiry(rules, reconciler, Clock.systemUTC()).start();
        this.igd = new IgdService(rules, reconciler, transport, Clock.systemUTC());
        this.upstream = new Upstream(rules, igd, Clock.systemUTC());
        this.web = settings.console() == null ? null : startConsole(settings.console());
    }

    private WebServer startConsole(Console c) throws IOException {
        String firstRun = FirstRun.ensureAdmin(accounts, c.adminPassword());
        FirstRun.ensureTokens(accounts, data.path(), c.apiToken());
        boolean loopback =
                c.address().getAddress() != null && c.address().getAddress().isLoopbackAddress();
        KeyStores.KeyStoreFile tls = null;
        if (c.keyStore() != null) {
            tls = new KeyStores.KeyStoreFile(c.keyStore(), c.keyStorePassword() == null ? "" : c.keyStorePassword());
        } else if (c.tls() || (!loopback && !c.insecure())) {
            tls = ConsoleTls.selfSigned(data.path(), c.address().getHostString());
        }
        WebServer server = new WebServer(
                new WebServer.Settings(c.address(), tls),
                rules,
                reconciler,
                side,
                accounts,
                audit,
                endpoints,
                igd,
                upstream,
                policy,
                triggers);
        server.start();
        FirstRun.writeUrl(data.path(), server.url());
        igd.consoleUrl(server.url());
        log.info(
                "console and API on {}{}",
                server.url(),
                tls == null ? "" : " (TLS, certificate SHA-256 " + ConsoleTls.fingerprint(tls) + ")");
        if (!loopback && tls == null) {
            log.warn(
                    "the console listens on {} without TLS (--console-insecure): passwords and tokens cross the network in clear",
                    c.address());
        }
        if (firstRun != null) {
            System.out.println(firstRun);
            System.out.flush();
        }
        return server;
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
        ChangeResult result = rules.replaceAll(Origin.Kind.CONFIG, config.forwards(), Actor.config(file));
        reconciler.awaitApplied();
        if (result instanceof ChangeResult.Applied) {
            policy.firewall(config.firewall());
            bans.settings(config.bans());
            applyKnock(config.knock());
            triggers.apply(config.triggers());
            applyEgress(config.transparentEgress());
            applySsh(config.sshServer());
            igd.apply(config.igd());
            upstream.apply(config.upstream());
        }
        return result;
    }

    /** Opens, moves or closes the transparent egress listener to match the config's egress section. */
    private synchronized void applyEgress(ListenSpec next) {
        if (Objects.equals(next, egressSpec)) {
            return;
        }
        if (egress != null) {
            egress.close();
            egress = null;
        }
        egressSpec = next;
        if (next != null) {
            try {
                egress = TransparentEgress.open(
                        transport,
                        new InetSocketAddress(next.address(), next.ports().first()),
                        direct,
                        (device, protocol, port) -> triggers.outbound(device, protocol, port),
                        side);
            } catch (IOException e) {
                log.warn("egress: {}", e.getMessage());
            }
        }
    }

    /** Opens, moves or closes the knock port to match the config's knock section. */
    private synchronized void applyKnock(KnockConfig next) {
        if (Objects.equals(next, knockConfig)) {
            return;
        }
        if (knockListener != null) {
            knockListener.close();
            knockListener = null;
        }
        knockConfig = next;
        if (next == null) {
            return;
        }
        knocks.maxSkew(next.maxSkew());
        try {
            knockListener = KnockListener.open(
                    transport,
                    new InetSocketAddress(
                            next.listen().address(), next.listen().ports().first()),
                    authWorkers,
                    this::knocked);
        } catch (IOException e) {
            log.warn("knock: {}", e.getMessage());
        }
    }

    private void knocked(byte[] datagram, InetAddress source) {
        Knocks.Outcome o = knocks.accept(datagram, source);
        if (o instanceof Knocks.Outcome.Opened opened) {
            log.info(
                    "knock from {} opened forward \"{}\" until {}",
                    source.getHostAddress(),
                    opened.forward(),
                    opened.door().until());
            audit.record(
                    new Actor("knock", source.getHostAddress()),
                    "knock.accept",
                    opened.forward(),
                    "open until " + opened.door().until());
        } else if (o instanceof Knocks.Outcome.Rejected r) {
            // Garbage is only counted; a knock that names a forward is audited, at most once a second (a flood stays a
            // count).
            long now = System.nanoTime();
            long last = lastKnockAudit.get();
            boolean audited =
                    !r.forward().isEmpty() && now - last > 1_000_000_000L && lastKnockAudit.compareAndSet(last, now);
            if (audited) {
                log.info("knock from {} for \"{}\" rejected: {}", source.getHostAddress(), r.forward(), r.why());
                audit.record(new Actor("knock", source.getHostAddress()), "knock.reject", r.forward(), r.why());
            } else {
                log.debug("knock from {} rejected: {}", source.getHostAddress(), r.why());
            }
        }
    }

    /** The knock port, or -1 when there is none. */
    public synchronized int knockPort() {
        return knockListener == null ? -1 : knockListener.port();
    }

    public Triggers triggers() {
        return triggers;
    }

    public Knocks knocks() {
        return knocks;
    }

    /** Starts, updates or stops the SSH tunnel server to match the config's ssh-server section. */
    private synchronized void applySsh(SshServerConfig next) {
        try {
            if (next == null) {
                if (ssh != null) {
                    ssh.close();
                    ssh = null;
                    log.info("ssh server stopped (no ssh-server section)");
                }
            } else if (ssh == null) {
                TunnelServer server = new TunnelServer(
                        next,
                        data.path(),
                        throttle,
                        authWorkers,
                        new SessionRules(rules, reconciler, endpoints.serverSessions(), sshChanges),
                        direct,
                        sshIo,
                        side);
                server.start();
                ssh = server;
            } else {
                ssh.update(next);
            }
        } catch (IOException e) {
            log.warn("ssh server: {}", e.getMessage());
        }
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

    /** The SSH server's port, or -1 when it does not run. */
    public int sshPort() {
        TunnelServer s = ssh;
        return s == null ? -1 : s.port();
    }

    /** Re-reads the config file; a config that does not validate is refused whole and the running rules stay. */
    public synchronized void reloadConfig() {
        if (settings.config() == null) {
            return;
        }
        try {
            GatewayConfig config = ConfigFile.load(settings.config());
            ChangeResult result = apply(config);
            if (result instanceof ChangeResult.Rejected rejected) {
                refuse(rejected.problems());
            } else if (((ChangeResult.Applied) result).changes().isEmpty()) {
                log.info("config {} reloaded: no changes", settings.config());
            }
        } catch (ConfigException e) {
            refuse(e.problems());
        }
    }

    private void refuse(List<Problem> problems) {
        for (Problem p : problems) {
            log.warn("config refused: {}", p);
        }
        log.warn(
                "config {} refused whole ({} problem{}); the running rules stay",
                settings.config(),
                problems.size(),
                problems.size() == 1 ? "" : "s");
    }

    /** Stops accepting, lets open connections finish within the grace period, then closes everything. */
    public void shutdown() {
        reconciler.stopAccepting();
        long open = reconciler.activeConnections();
        Instant deadline = Instant.now().plus(settings.shutdownGrace());
        if (open > 0) {
            log.info(
                    "stopping: listeners closed; waiting up to {} s for {} open connection(s)",
                    settings.shutdownGrace().toSeconds(),
                    open);
        }
        while (reconciler.activeConnections() > 0 && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long left = reconciler.activeConnections();
        if (left > 0) {
            log.info("stopping: closing {} connection(s) still open after the grace period", left);
        }
        reconciler.closeAll();
        close();
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
        if (ssh != null) {
            try {
                ssh.close();
            } catch (IOException e) {
                log.debug("closing the ssh server: {}", e.toString());
            }
        }
        // Let the ended sessions' forwards be removed (and audited) while the rules still run.
        sshChanges.shutdown();
        try {
            sshChanges.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (knockListener != null) {
                knockListener.close();
            }
            if (egress != null) {
                egress.close();
            }
        }
        upstream.close();
        triggers.close();
        igd.close();
        expiry.close();
        reconciler.close();
        endpoints.close();
        authWorkers.shutdownNow();
        sshIo.close();
        transport.close();
        try {
            db.close();
        } catch (SQLException e) {
            log.debug("closing the store: {}", e.toString());
        }
        try {
            data.close();
        } catch (IOException e) {
            log.debug("releasing the data folder lock: {}", e.toString());
        }
    }

    public SideConnections sideConnections() {
        return side;
    }
}
