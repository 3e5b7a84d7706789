package dev.portgate.http;

import dev.portgate.forward.HttpForward;
import dev.portgate.forward.Protection;
import dev.portgate.forward.SiteTls;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Dialer;
import dev.portgate.net.Listener;
import dev.portgate.net.TlsContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.IOException;
import java.util.Optional;

/**
 * A site's place in the routing table, as the Reconciler opens and closes it like any listener. Opening makes what
 * the site needs first (its certificate, its target's TLS context), so no request ever waits for them.
 */
final class SiteClaim implements Listener {

    private final ActiveForward active;
    private final HostRoutes<SiteGroup> routes;
    private final SiteCertificates certs;
    private final TlsContexts tls;
    private final Dialer dialer;
    private volatile Site site;

    SiteClaim(
            ActiveForward active,
            HostRoutes<SiteGroup> routes,
            SiteCertificates certs,
            TlsContexts tls,
            Dialer dialer) {
        this.active = active;
        this.routes = routes;
        this.certs = certs;
        this.tls = tls;
        this.dialer = dialer;
    }

    @Override
    public Future<?> open() {
        HttpForward f = (HttpForward) active.forward();
        try {
            Protection p = f.limits().protection();
            SslContext targetTls = p.targetTls() ? tls.client(p.targetCa()) : null;
            if (f.tls() == SiteTls.TERMINATE) {
                certs.prepare(f.host());
            }
            Site s = new Site(active, dialer, targetTls, f.session() == null ? new IdleTargets() : null);
            synchronized (routes) {
                Optional<SiteGroup> held = routes.get(f.host());
                if (held.isPresent() && !held.get().admits(s)) {
                    return ImmediateEventExecutor.INSTANCE.newFailedFuture(
                            new IOException("host " + f.host() + " is already routed by another forward"));
                }
                if (held.isPresent()) {
                    held.get().add(s);
                } else {
                    routes.claim(f.host(), new SiteGroup(s));
                }
            }
            site = s;
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
        } catch (IOException e) {
            return ImmediateEventExecutor.INSTANCE.newFailedFuture(e);
        }
    }

    @Override
    public void close() {
        Site s = site;
        if (s != null) {
            HttpForward f = (HttpForward) active.forward();
            synchronized (routes) {
                SiteGroup group = routes.get(f.host()).orElse(null);
                if (group != null && group.remove(s)) {
                    routes.release(f.host(), group);
                    certs.forget(f.host());
                }
            }
            if (s.idle() != null) {
                s.idle().closeAll();
            }
            site = null;
        }
    }

    @Override
    public String describe() {
        return "site " + ((HttpForward) active.forward()).host();
    }
}
