package dev.portgate.igd;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * The {@code igd:} section: where the UPnP IGD, NAT-PMP and PCP services answer (the LAN side only),
 * what they tell devices, and what devices may map.
 */
public record IgdConfig(
        List<InetAddress> lan,
        InetAddress externalAddress,
        InetAddress listen,
        boolean upnp,
        int httpPort,
        boolean natPmp,
        boolean pcp,
        int pmpPort,
        boolean secureMode,
        boolean thirdParty,
        Duration leaseMin,
        Duration leaseMax,
        int maxLeasesPerDevice,
        List<Permission> permissions) {

    public static final int DEFAULT_HTTP_PORT = 5000;
    /** NAT-PMP and PCP share this port (RFC 6886, RFC 6887); clients send to it, it is not negotiable. */
    public static final int PMP_PORT = 5351;

    public IgdConfig {
        lan = List.copyOf(lan);
        permissions = List.copyOf(permissions);
    }

    /** Clamps a requested lifetime to the configured bounds; 0 from UPnP means "as long as allowed". */
    public Duration clamp(Duration requested) {
        if (requested.isZero() || requested.compareTo(leaseMax) > 0) {
            return leaseMax;
        }
        return requested.compareTo(leaseMin) < 0 ? leaseMin : requested;
    }
}
