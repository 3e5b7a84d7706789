package dev.portgate.forward;

import java.util.Objects;
import java.util.Set;

/**
 * A port opened on this gateway by an {@code ssh -R} request on portgate's own SSH server: its
 * connections go back through that SSH session ({@code forwarded-tcpip}). It lives as long as the
 * session, is never stored, and conflict-checks like every other forward. {@code requestedHost} is the
 * bind address exactly as the client sent it: it is what the client matches its forwards by.
 */
public record SshSessionForward(
        String name,
        boolean enabled,
        String description,
        Origin origin,
        ListenSpec listen,
        String session,
        String requestedHost)
        implements Forward {

    public SshSessionForward {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(session, "session");
        description = description == null ? "" : description;
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Protocol.TCP);
    }

    @Override
    public Limits limits() {
        return Limits.NONE;
    }

    @Override
    public String kind() {
        return "ssh-remote";
    }

    @Override
    public SshSessionForward withEnabled(boolean on) {
        return new SshSessionForward(name, on, description, origin, listen, session, requestedHost);
    }

    @Override
    public String toString() {
        return "tcp " + listen + " -> back through SSH session of " + origin.owner();
    }
}
