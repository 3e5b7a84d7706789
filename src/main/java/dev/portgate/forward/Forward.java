package dev.portgate.forward;

import java.util.Objects;
import java.util.Set;

/**
 * A forward: something that listens and carries connections somewhere. Each kind is a record;
 * later kinds (local, remote and dynamic tunnels) join this sealed family.
 */
public sealed interface Forward
        permits PortForward,
                DynamicForward,
                LocalForward,
                RemoteForward,
                SshSessionForward,
                TunnelSessionForward,
                HttpForward {

    String name();

    boolean enabled();

    String description();

    Origin origin();

    Set<Protocol> protocols();

    ListenSpec listen();

    Limits limits();

    String kind();

    /** The same forward with another enabled flag. */
    Forward withEnabled(boolean enabled);

    /** True when the listening sockets must be reopened to go from this to {@code next}. */
    default boolean needsRebind(Forward next) {
        // TLS settings are built into the listeners, so changing them reopens them.
        return !getClass().equals(next.getClass())
                || !listen().equals(next.listen())
                || !protocols().equals(next.protocols())
                || !Objects.equals(
                        limits().protection().tls(), next.limits().protection().tls())
                || limits().protection().targetTls()
                        != next.limits().protection().targetTls()
                || !Objects.equals(
                        limits().protection().targetCa(),
                        next.limits().protection().targetCa());
    }
}
