package dev.portgate.forward;

import java.util.Objects;
import java.util.Set;

/** {@code ssh -L}: a local port whose connections go through an SSH endpoint to a target on its side. */
public record LocalForward(
        String name,
        boolean enabled,
        String description,
        Origin origin,
        ListenSpec listen,
        String via,
        TargetSpec target,
        Limits limits)
        implements Forward {

    public LocalForward {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(via, "via");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(limits, "limits");
        description = description == null ? "" : description;
        if (listen.ports().size() != 1 || target.ports().size() != 1) {
            throw new IllegalArgumentException("forward \"" + name + "\": a local forward has one port each side");
        }
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Protocol.TCP);
    }

    @Override
    public String kind() {
        return "local";
    }

    @Override
    public LocalForward withEnabled(boolean on) {
        return new LocalForward(name, on, description, origin, listen, via, target, limits);
    }

    @Override
    public String toString() {
        return "tcp " + listen + " -> " + target + " via " + via;
    }
}
