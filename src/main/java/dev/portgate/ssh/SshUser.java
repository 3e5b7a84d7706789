package dev.portgate.ssh;

import dev.portgate.forward.Destination;
import dev.portgate.forward.HostName;
import dev.portgate.forward.HostPattern;
import dev.portgate.forward.ListenSpec;
import java.security.PublicKey;
import java.util.List;

/**
 * A user of portgate's SSH server: how they log in (public keys; a password hash optionally), what
 * they may expose with {@code -R} (permit-listen), the site names they may serve on the shared http/https ports
 * (permit-hosts), and where {@code -L}/{@code -D} may go (permit-open).
 */
public record SshUser(
        String name,
        List<PublicKey> keys,
        String passwordHash,
        List<ListenSpec> permitListen,
        List<Destination> permitOpen,
        List<HostPattern> permitHosts) {

    public SshUser {
        keys = List.copyOf(keys);
        permitListen = List.copyOf(permitListen);
        permitOpen = List.copyOf(permitOpen);
        permitHosts = permitHosts == null ? List.of() : List.copyOf(permitHosts);
    }

    /** Whether this user may serve a site under {@code name} with {@code ssh -R name:80:…} (permit-hosts). */
    public boolean mayServe(HostName name) {
        return permitHosts.stream().anyMatch(p -> p.matches(name));
    }
}
