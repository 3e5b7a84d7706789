package dev.portgate.forward;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * {@code ssh -R} or a portgate tunnel's remote forward: a port opened on the endpoint's side ({@code listen} is
 * there, not here) whose connections come back to a target near this gateway. It takes no local port, so it
 * never conflicts with local forwards. {@code carried} is what it carries (UDP and ranges only through a portgate
 * tunnel); {@code proxyProtocol} tells the target the real client's address. With {@code host}, the server serves
 * a site by that name on its shared http/https ports instead of opening a port ({@code ssh -R name:80:…}); its
 * {@code listen} is then port 80, what such a request names.
 */
public record RemoteForward(
        String name,
        boolean enabled,
        String description,
        Origin origin,
        ListenSpec listen,
        String via,
        TargetSpec target,
        Set<Protocol> carried,
        Limits limits,
        ProxyProtocol proxyProtocol,
        HostName host)
        implements Forward {

    /** What a site request names as its port, as {@code ssh -R demo:80:…} does. */
    public static final ListenSpec SITE_PORT = ListenSpec.parse("0.0.0.0:80");

    public RemoteForward {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(via, "via");
        Objects.requireNonNull(target, "target");
        description = description == null ? "" : description;
        carried = carried == null || carried.isEmpty() ? Set.of(Protocol.TCP) : Set.copyOf(EnumSet.copyOf(carried));
        limits = limits == null ? Limits.NONE : limits;
        proxyProtocol = proxyProtocol == null ? ProxyProtocol.NONE : proxyProtocol;
        if (target.ports().size() != 1
                && target.ports().size() != listen.ports().size()) {
            throw new IllegalArgumentException("forward \"" + name + "\": the target range " + target.ports()
                    + " must be one port or as long as the listen range " + listen.ports());
        }
        if (host != null && (target.ports().size() != 1 || !carried.equals(Set.of(Protocol.TCP)))) {
            throw new IllegalArgumentException(
                    "forward \"" + name + "\": a site by name carries TCP to one target port");
        }
    }

    public RemoteForward(
            String name,
            boolean enabled,
            String description,
            Origin origin,
            ListenSpec listen,
            String via,
            TargetSpec target,
            Set<Protocol> carried,
            Limits limits,
            ProxyProtocol proxyProtocol) {
        this(name, enabled, description, origin, listen, via, target, carried, limits, proxyProtocol, null);
    }

    /** An {@code ssh -R}-style forward: one TCP port each side. */
    public RemoteForward(
            String name,
            boolean enabled,
            String description,
            Origin origin,
            ListenSpec listen,
            String via,
            TargetSpec target) {
        this(name, enabled, description, origin, listen, via, target, Set.of(Protocol.TCP), Limits.NONE, null, null);
    }

    /** Nothing listens here, so nothing conflicts here. */
    @Override
    public Set<Protocol> protocols() {
        return Set.of();
    }

    @Override
    public String kind() {
        return "remote";
    }

    @Override
    public RemoteForward withEnabled(boolean on) {
        return new RemoteForward(
                name, on, description, origin, listen, via, target, carried, limits, proxyProtocol, host);
    }

    @Override
    public boolean needsRebind(Forward next) {
        return !equals(next.withEnabled(enabled));
    }

    @Override
    public String toString() {
        return (host == null ? Protocol.label(carried) + " " + listen : "site " + host) + " on " + via + " -> "
                + target;
    }
}
