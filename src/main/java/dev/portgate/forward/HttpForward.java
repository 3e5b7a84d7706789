package dev.portgate.forward;

import java.util.Objects;
import java.util.Set;

/**
 * A web site by name on the shared http and https ports ({@code http-routing:}): requests whose Host (or TLS
 * server name) matches {@code host} go to {@code target}. It holds a host name, not a port, so it never conflicts
 * with port forwards; two sites may not hold one name, except sessions of one user, which share its load.
 * {@code proxyProtocol} replaces the forwarded-for headers where the target cannot read them (passthrough).
 * {@code session}: the client session that asked for it (its requests go back through that session), or null.
 */
public record HttpForward(
        String name,
        boolean enabled,
        String description,
        Origin origin,
        HostPattern host,
        TargetSpec target,
        SiteTls tls,
        Limits limits,
        ProxyProtocol proxyProtocol,
        SiteSession session)
        implements Forward {

    /** Where the shared front end takes requests, for the parts that show every forward's listen side. */
    private static final ListenSpec FRONT = ListenSpec.parse("0.0.0.0:443");

    public HttpForward {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(target, "target");
        description = description == null ? "" : description;
        tls = tls == null ? SiteTls.TERMINATE : tls;
        limits = limits == null ? Limits.NONE : limits;
        proxyProtocol = proxyProtocol == null ? ProxyProtocol.NONE : proxyProtocol;
        if (target.ports().size() != 1) {
            throw new IllegalArgumentException(
                    "forward \"" + name + "\": a site has one target port, not " + target.ports());
        }
    }

    /** A config site: nothing else in the same place (null: no session, never shared). */
    public HttpForward(
            String name,
            boolean enabled,
            String description,
            Origin origin,
            HostPattern host,
            TargetSpec target,
            SiteTls tls,
            Limits limits,
            ProxyProtocol proxyProtocol) {
        this(name, enabled, description, origin, host, target, tls, limits, proxyProtocol, null);
    }

    /** Sites that may hold one name together, their load shared; null for a configured site, which holds it alone. */
    public String shareKey() {
        return session == null ? null : session.shareKey(origin);
    }

    @Override
    public ListenSpec listen() {
        return FRONT;
    }

    /** No port of its own: the front end's ports are shared by every site. */
    @Override
    public Set<Protocol> protocols() {
        return Set.of();
    }

    @Override
    public String kind() {
        return "http";
    }

    @Override
    public HttpForward withEnabled(boolean on) {
        return new HttpForward(name, on, description, origin, host, target, tls, limits, proxyProtocol, session);
    }

    /** The route is rebuilt whenever anything but the enabled flag changes: claiming a name costs nothing. */
    @Override
    public boolean needsRebind(Forward next) {
        return !equals(next.withEnabled(enabled));
    }

    @Override
    public String toString() {
        return host + " (" + tls.label() + ") -> "
                + (session == null ? target.toString() : "back through the session of " + origin.owner());
    }
}
