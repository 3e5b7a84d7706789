package dev.portgate.http;

import dev.portgate.forward.HostName;
import dev.portgate.forward.ListenSpec;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Dialer;
import dev.portgate.net.Errors;
import dev.portgate.net.Listener;
import dev.portgate.net.NamedSites;
import dev.portgate.net.SiteNames;
import dev.portgate.net.TcpListener;
import dev.portgate.net.TlsContexts;
import dev.portgate.net.Transport;
import dev.portgate.policy.LoginThrottle;
import dev.portgate.policy.Policy;
import dev.portgate.store.Accounts;
import dev.portgate.store.AuditLog;
import dev.portgate.store.FileShelf;
import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Name routing: the shared http and https ports that {@code http-routing:} opens, and the table of sites they
 * route by. Sites come and go as forwards (the Reconciler claims their names here); the ports follow the config.
 */
public final class HttpRouting implements NamedSites, SiteNames, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpRouting.class);

    private final Transport transport;
    private final Policy policy;
    private final TlsContexts tls;
    private final SiteCertificates certs;
    private final HostRoutes<SiteGroup> routes = new HostRoutes<>();
    private final ChallengeAnswers answers = new ChallengeAnswers();
    private final SiteLogins logins;
    private final List<Listener> ports = new ArrayList<>();
    private HttpRoutingConfig config;

    public HttpRouting(
            Transport transport,
            Policy policy,
            Dialer direct,
            TlsContexts tls,
            Path certificates,
            FileShelf shelf,
            Accounts accounts,
            LoginThrottle throttle,
            AuditLog audit,
            Executor authWorkers) {
        this.transport = transport;
        this.logins = new SiteLogins(accounts, throttle, audit, authWorkers, Clock.systemUTC());
        this.policy = policy;
        this.tls = tls;
        this.certs = new SiteCertificates(certificates, shelf, answers, Clock.systemUTC());
    }

    @Override
    public Listener site(ActiveForward active, Dialer dialer) {
        return new SiteClaim(active, routes, certs, tls, dialer);
    }

    /** {@code null}: no http-routing section, so no shared ports (sites stay in the table, unreachable). */
    public synchronized void apply(HttpRoutingConfig next) {
        if (Objects.equals(next, config)) {
            return;
        }
        closePorts();
        config = next;
        certs.configure(next == null ? null : next.acme());
        if (next == null) {
            return;
        }
        Front front = new Front(routes, policy, next, answers, logins);
        if (next.https() != null) {
            try {
                certs.fallback();
                open(next.https(), () -> FrontPipelines.secure(front, certs));
            } catch (IOException e) {
                log.warn("http-routing: https: cannot make the default certificate: {}", e.getMessage());
            }
        }
        if (next.http() != null) {
            open(next.http(), () -> FrontPipelines.plain(front));
        }
    }

    private void open(ListenSpec where, Supplier<ChannelHandler> first) {
        TcpListener l = new TcpListener(
                transport, null, null, where.address(), where.ports().first(), first);
        Future<?> bound = l.open().awaitUninterruptibly();
        if (bound.isSuccess()) {
            ports.add(l);
            log.info("http-routing: listening on {}", l.describe());
        } else {
            log.warn("http-routing: cannot listen on {}: {}", where, Errors.reason(bound.cause()));
        }
    }

    private void closePorts() {
        ports.forEach(Listener::close);
        ports.clear();
    }

    @Override
    public synchronized Optional<HostName> domain() {
        return config == null ? Optional.empty() : Optional.ofNullable(config.domain());
    }

    @Override
    public synchronized boolean running() {
        return config != null;
    }

    /** Its https URL, or its http one when there is no https port. */
    @Override
    public synchronized String url(HostName host) {
        if (config == null) {
            return "(http-routing is off)";
        }
        boolean tls = config.https() != null;
        int port = (tls ? config.https() : config.http()).ports().first();
        return (tls ? "https://" : "http://") + host + (port == (tls ? 443 : 80) ? "" : ":" + port);
    }

    /** Every site's certificate: where it comes from, until when, and what went wrong getting it. */
    public List<CertificateStatus> certificates() {
        return certs.statuses();
    }

    @Override
    public synchronized void close() {
        closePorts();
        certs.close();
        config = null;
    }
}
