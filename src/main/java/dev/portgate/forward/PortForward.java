package dev.portgate.forward;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/** A static mapping: external port(s) to an internal host's port(s), TCP and/or UDP. */
public record PortForward(
        String name,
        boolean enabled,
        String description,
        Origin origin,
        Set<Protocol> protocols,
        ListenSpec listen,
        TargetSpec target,
        Limits limits,
        ProxyProtocol proxyProtocol,
        DataPlane dataPlane)
        implements Forward {

    public PortForward(
            String name,
            boolean enabled,
            String description,
            Origin origin,
            Set<Protocol> protocols,
            ListenSpec listen,
            TargetSpec target,
            Limits limits,
            ProxyProtocol proxyProtocol) {
        this(name, enabled, description, origin, protocols, listen, target, limits, proxyProtocol, DataPlane.AUTO);
    }

    public PortForward {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        dataPlane = dataPlane == null ? DataPlane.AUTO : dataPlane;
        description = description == null ? "" : description;
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("forward \"" + name + "\" has no protocol");
        }
        protocols = Set.copyOf(EnumSet.copyOf(protocols));
        if (target.ports().size() != 1
                && target.ports().size() != listen.ports().size()) {
            throw new IllegalArgumentException("forward \"" + name + "\": target range " + target.ports()
                    + " and listen range " + listen.ports() + " differ in size");
        }
    }

    @Override
    public String kind() {
        return "port";
    }

    @Override
    public PortForward withEnabled(boolean on) {
        return new PortForward(
                name, on, description, origin, protocols, listen, target, limits, proxyProtocol, dataPlane);
    }

    @Override
    public String toString() {
        return Protocol.label(protocols) + " " + listen + " -> " + target;
    }
}
