package dev.portgate.web;

import dev.portgate.config.ConfigReloader;
import dev.portgate.http.HttpRouting;
import dev.portgate.igd.IgdService;
import dev.portgate.igd.Upstream;
import dev.portgate.kernel.KernelPlane;
import dev.portgate.net.KeyStores;
import dev.portgate.net.SideConnections;
import dev.portgate.net.TargetProbe;
import dev.portgate.policy.LoginThrottle;
import dev.portgate.policy.Policy;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import dev.portgate.ssh.SshEndpoints;
import dev.portgate.store.Accounts;
import dev.portgate.store.AuditLog;
import dev.portgate.store.Database.StoreException;
import dev.portgate.store.Nodes;
import dev.portgate.store.TrafficTotals;
import dev.portgate.trigger.Triggers;
import dev.portgate.tunnel.TunnelEndpoints;
import dev.portgate.tunnel.TunnelServerRunner;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import java.net.InetSocketAddress;
import java.util.List;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console and the REST API on one port (Javalin on Jetty): static pages that call the same
 * API the CLI uses, Prometheus metrics at /metrics, security headers on everything.
 */
public final class WebServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebServer.class);

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

    /** Where the console listens and whether it speaks TLS (a PKCS#12 key store). */
    public record Settings(InetSocketAddress address, KeyStores.KeyStoreFile tls) {
        public boolean secure() {
            return tls != null;
        }
    }

    /** Set when an API error has written its own body, so the status-code pages leave it alone. */
    private static final String ANSWERED = "portgate.answered";

    private final Javalin app;
    private final MetricsOnDemand metrics;
    private final TrafficHistory history;
    private final Settings settings;

    public WebServer(
            Settings settings,
            RuleService rules,
            Reconciler reconciler,
            SideConnections side,
            Accounts accounts,
            AuditLog audit,
            SshEndpoints endpoints,
            IgdService igd,
            Upstream upstream,
            Policy policy,
            Triggers triggers,
            KernelPlane kernel,
            ConfigReloader reloader,
            TargetProbe probe,
            TrafficTotals totals,
            TunnelServerRunner tunnelServer,
            TunnelEndpoints tunnelEndpoints,
            HttpRouting httpRouting,
            Nodes nodes) {
        this.settings = settings;
        this.metrics = new MetricsOnDemand(reconciler, igd);
        ForwardTraffic perForward =
                new ForwardTraffic(totals, name -> rules.get(name).isPresent());
        this.history = new TrafficHistory(reconciler, perForward);
        Sessions sessions = new Sessions();
        Authenticator auth = new Authenticator(accounts, sessions);
        AccountApi account = new AccountApi(
                accounts, sessions, new LoginThrottle(policy.bans(), "console login"), audit, settings.secure());
        Risks risks = new Risks(policy);
        Reachability reach = new Reachability(igd, upstream);
        ForwardsApi forwards = new ForwardsApi(rules, reconciler, risks, probe, reach, nodes);
        ConnectionsApi connections = new ConnectionsApi(reconciler, side, kernel);
        KernelApi kernelApi = new KernelApi(kernel);
        StatusApi status = new StatusApi(rules, reconciler, history, audit, endpoints, reloader, reach, nodes);
        IgdApi igdApi = new IgdApi(igd, upstream, reconciler, audit);
        SecurityApi security = new SecurityApi(rules, reconciler, policy, audit, triggers, risks);
        DoorApi door = new DoorApi(rules, policy.doors(), audit);
        CatalogueApi catalogue = new CatalogueApi(new Devices(rules, igd));
        TrafficApi traffic = new TrafficApi(rules, perForward);
        TunnelsApi tunnels = new TunnelsApi(new TunnelsApi.Sources(tunnelServer, tunnelEndpoints));
        SitesApi sites = new SitesApi(rules, reconciler, httpRouting);
        NodesApi nodesApi = new NodesApi(nodes);
        this.app = Javalin.create(config -> configure(
                config,
                auth,
                account,
                forwards,
                connections,
                status,
                igdApi,
                security,
                door,
                kernelApi,
                catalogue,
                traffic,
                tunnels,
                sites,
                nodesApi));
    }

    private void configure(
            JavalinConfig config,
            Authenticator auth,
            AccountApi account,
            ForwardsApi forwards,
            ConnectionsApi connections,
            StatusApi status,
            IgdApi igdApi,
            SecurityApi security,
            DoorApi door,
            KernelApi kernelApi,
            CatalogueApi catalogue,
            TrafficApi traffic,
            TunnelsApi tunnels,
            SitesApi sites,
            NodesApi nodesApi) {
        config.startup.showJavalinBanner = false;
        config.jsonMapper(new JavalinJackson(Views.JSON, false));
        config.http.maxRequestSize = Bodies.MAX_BYTES;
        if (settings.secure()) {
            config.jetty.addConnector((server, http) -> tlsConnector(server, http));
        } else {
            config.jetty.host = settings.address().getHostString();
            config.jetty.port = settings.address().getPort();
        }
        var r = config.routes;
        r.before(ctx -> securityHeaders(ctx));
        r.before("/api/*", ctx -> {
            if (!isPublic(ctx)) {
                auth.authenticate(ctx);
            }
        });
        r.before("/metrics", auth::authenticate);
        ConsoleAssets.register(r);
        account.registerPublic(r);
        account.register(r);
        forwards.register(r);
        catalogue.register(r);
        traffic.register(r);
        tunnels.register(r);
        sites.register(r);
        connections.register(r);
        status.register(r);
        igdApi.register(r);
        security.register(r);
        door.register(r);
        kernelApi.register(r);
        nodesApi.register(r);
        r.get("/api/v1/openapi.json", ctx -> ctx.contentType("application/json")
                .result(WebServer.class.getResourceAsStream("/web/openapi.json").readAllBytes()));
        r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.scrape()));
        r.exception(ApiException.class, (e, ctx) -> {
            ctx.attribute(ANSWERED, true);
            ctx.status(e.status()).json(Views.error(e.getMessage(), e.problems()));
        });
        r.exception(HttpResponseException.class, (e, ctx) -> ctx.status(e.getStatus())
                .json(Views.error(e.getMessage(), List.of())));
        r.exception(StoreException.class, (e, ctx) -> {
            // The machine's fault, not the client's nor a bug: say what, in one line, and that nothing changed.
            log.warn("console/API: {} {} failed: {}", ctx.method(), ctx.path(), e.getMessage());
            ctx.status(503).json(Views.error(e.getMessage() + " (nothing was changed)", List.of()));
        });
        r.exception(Exception.class, (e, ctx) -> {
            log.warn("console/API: {} {} failed: {}", ctx.method(), ctx.path(), e.toString(), e);
            ctx.status(500).json(Views.error("internal error: " + e.getMessage(), List.of()));
        });
        r.error(404, ctx -> {
            if (ctx.path().startsWith("/api/") && ctx.attribute(ANSWERED) == null) {
                ctx.json(Views.error("no such API path: " + ctx.method() + " " + ctx.path(), List.of()));
            }
        });
        r.error(405, ctx -> {
            if (ctx.attribute(ANSWERED) == null) {
                ctx.json(Views.error(ctx.method() + " is not allowed on " + ctx.path(), List.of()));
            }
        });
    }

    private static boolean isPublic(Context ctx) {
        String p = ctx.path();
        return p.equals("/api/v1/health")
                || p.equals("/api/v1/openapi.json")
                || (p.equals("/api/v1/session") && ctx.method().name().equals("POST"));
    }

    private void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");
        if (settings.secure()) {
            ctx.header("Strict-Transport-Security", "max-age=31536000");
        }
    }

    private ServerConnector tlsConnector(Server server, HttpConfiguration http) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(settings.tls().path().toString());
        ssl.setKeyStorePassword(settings.tls().password());
        ssl.setKeyStoreType("PKCS12");
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer src = new SecureRequestCustomizer();
        src.setSniHostCheck(false);
        https.addCustomizer(src);
        ServerConnector c = new ServerConnector(
                server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
        c.setHost(settings.address().getHostString());
        c.setPort(settings.address().getPort());
        return c;
    }

    public void start() {
        app.start();
    }

    /** The URL the console answers on (the real port, if 0 was asked for). */
    public String url() {
        int port = settings.secure()
                ? ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort()
                : app.port();
        String host = settings.address().getHostString();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return (settings.secure() ? "https://" : "http://") + host + ":" + port;
    }

    @Override
    public void close() {
        app.stop();
        history.close();
        metrics.close();
    }
}
