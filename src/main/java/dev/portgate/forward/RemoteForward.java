package dev.portgate.forward;

import java.util.Objects;
import java.util.Set;

/**
 * {@code ssh -R}: a port opened on the SSH endpoint's side ({@code listen} is there, not here) whose
 * connections come back to a target near this gateway. It takes no local port, so it never
 * conflicts with local forwards.
 */
public record RemoteForward(
        String name,
        boolean enabled,
        String description,
        Origin origin,
        ListenSpec listen,
        String via,
        TargetSpec target)
        implements Forward {

    public RemoteForward {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(via, "via");
        Objects.requireNonNull(target, "target");
        description = description == null ? "" : description;
        if (listen.ports().size() != 1 || target.ports().size() != 1) {
            throw new IllegalArgumentException("forward \"" + name + "\": a remote forward has one port each side");
        }
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of();
    }

    @Override
    public Limits limits() {
        return Limits.NONE;
    }

    @Override
    public String kind() {
        return "remote";
    }

    @Override
    public RemoteForward withEnabled(boolean on) {
        return new RemoteForward(name, on, description, origin, listen, via, target);
    }

    @Override
    public boolean needsRebind(Forward next) {
        return !equals(next.withEnabled(enabled));
    }

    @Override
    public String toString() {
        return "tcp " + listen + " on " + via + " -> " + target;
    }
}
