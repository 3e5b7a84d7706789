package dev.portgate.ssh;

import dev.portgate.forward.Destination;
import dev.portgate.forward.ListenSpec;
import java.security.PublicKey;
import java.util.List;

/**
 * A user of portgate's SSH server: how they log in (public keys; a password hash optionally), what
 * they may expose with {@code -R} (permit-listen) and where {@code -L}/{@code -D} may go (permit-open).
 */
public record SshUser(
        String name,
        List<PublicKey> keys,
        String passwordHash,
        List<ListenSpec> permitListen,
        List<Destination> permitOpen) {

    public SshUser {
        keys = List.copyOf(keys);
        permitListen = List.copyOf(permitListen);
        permitOpen = List.copyOf(permitOpen);
    }
}
