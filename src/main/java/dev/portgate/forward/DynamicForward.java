package dev.portgate.forward;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A proxy (SOCKS5, SOCKS4a, HTTP CONNECT) on one port: each client names its own destination,
 * which must be within {@code permitOpen} and outside {@code denyOpen}. With {@code via} (an SSH
 * endpoint's name) the destinations are dialled through that SSH connection ({@code ssh -D}); without, directly.
 */
public record DynamicForward(
        String name,
        boolean enabled,
        String description,
        Origin origin,
        ListenSpec listen,
        Set<ProxyKind> proxies,
        List<ProxyUser> users,
        List<Destination> permitOpen,
        List<Destination> denyOpen,
        boolean openProxy,
        Limits limits,
        String via)
        implements Forward {

    public DynamicForward {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(limits, "limits");
        description = description == null ? "" : description;
        if (proxies.isEmpty()) {
            throw new IllegalArgumentException("forward \"" + name + "\" answers no proxy protocol");
        }
        if (listen.ports().size() != 1) {
            throw new IllegalArgumentException("forward \"" + name + "\": a proxy listens on one port");
        }
        proxies = Set.copyOf(EnumSet.copyOf(proxies));
        users = List.copyOf(users);
        permitOpen = List.copyOf(permitOpen);
        denyOpen = List.copyOf(denyOpen);
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Protocol.TCP);
    }

    @Override
    public String kind() {
        return "dynamic";
    }

    @Override
    public DynamicForward withEnabled(boolean on) {
        return new DynamicForward(
                name, on, description, origin, listen, proxies, users, permitOpen, denyOpen, openProxy, limits, via);
    }

    public String proxyLabel() {
        return EnumSet.copyOf(proxies).stream().map(ProxyKind::label).collect(Collectors.joining("+"));
    }

    @Override
    public String toString() {
        return proxyLabel() + " proxy on " + listen + (via == null ? "" : " via " + via)
                + (users.isEmpty() ? "" : " (" + users.size() + " user" + (users.size() == 1 ? ")" : "s)"));
    }
}
