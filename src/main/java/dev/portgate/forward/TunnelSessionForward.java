package dev.portgate.forward;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A port opened on this gateway for a client of portgate's tunnel server: its TCP connections go back to the
 * client as QUIC streams and its UDP as datagrams, tagged with the client's {@code request} id. It lives as long
 * as the client's connection, is never stored, and conflict-checks like every other forward.
 */
public record TunnelSessionForward(
        String name,
        boolean enabled,
        String description,
        Origin origin,
        ListenSpec listen,
        Set<Protocol> protocols,
        Limits limits,
        String session,
        int request)
        implements Forward {

    public TunnelSessionForward {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(session, "session");
        protocols = Set.copyOf(EnumSet.copyOf(protocols));
        limits = limits == null ? Limits.NONE : limits;
        description = description == null ? "" : description;
    }

    @Override
    public String kind() {
        return "tunnel-remote";
    }

    @Override
    public TunnelSessionForward withEnabled(boolean on) {
        return new TunnelSessionForward(name, on, description, origin, listen, protocols, limits, session, request);
    }

    @Override
    public String toString() {
        return Protocol.label(protocols) + " " + listen + " -> back through the tunnel of " + origin.owner();
    }
}
