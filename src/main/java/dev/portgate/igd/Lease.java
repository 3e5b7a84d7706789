package dev.portgate.igd;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Cidr;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.Protocol;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A port mapping a device made for itself, seen from the IGD side. It is not stored apart: it is a
 * {@code port} forward whose origin is the protocol that made it (upnp, natpmp, pcp) and whose owner
 * is the device (and, for PCP, the nonce that owns it), read back by {@link #of}.
 */
public record Lease(
        String name,
        Origin.Kind via,
        InetAddress device,
        String nonce,
        Protocol protocol,
        int externalPort,
        int internalPort,
        String description,
        Instant expires,
        boolean enabled,
        InetAddress remoteHost) {

    static final Set<Origin.Kind> KINDS = Set.of(Origin.Kind.UPNP, Origin.Kind.NATPMP, Origin.Kind.PCP);

    /** One name per (protocol, external port): whichever protocol made it, there is one mapping there. */
    public static String nameFor(Protocol protocol, int externalPort) {
        return "lease-" + protocol.name().toLowerCase(Locale.ROOT) + "-" + externalPort;
    }

    static String owner(InetAddress device, String nonce) {
        return nonce == null || nonce.isEmpty() ? device.getHostAddress() : device.getHostAddress() + " nonce=" + nonce;
    }

    public static Optional<Lease> of(Forward f) {
        if (!(f instanceof PortForward pf)
                || !KINDS.contains(f.origin().kind())
                || pf.protocols().size() != 1) {
            return Optional.empty();
        }
        String owner = f.origin().owner();
        int space = owner.indexOf(" nonce=");
        InetAddress device = Addresses.literal(space < 0 ? owner : owner.substring(0, space));
        if (device == null) {
            return Optional.empty();
        }
        String nonce = space < 0 ? "" : owner.substring(space + " nonce=".length());
        InetAddress remote =
                pf.limits().allow().size() == 1 ? pf.limits().allow().get(0).network() : null;
        return Optional.of(new Lease(
                f.name(),
                f.origin().kind(),
                Addresses.unmap(device),
                nonce,
                pf.protocols().iterator().next(),
                pf.listen().ports().first(),
                pf.target().ports().first(),
                pf.description(),
                pf.limits().expires(),
                pf.enabled(),
                remote));
    }

    /** Seconds left, at least 0; a lease without an end reports 0 as UPnP does for "permanent". */
    public long secondsLeft(Instant now) {
        return expires == null ? 0 : Math.max(0, Duration.between(now, expires).toSeconds());
    }

    public String remoteHostText() {
        return remoteHost == null ? "" : remoteHost.getHostAddress();
    }

    static Cidr remoteCidr(InetAddress remote) {
        return new Cidr(remote, remote.getAddress().length * 8);
    }
}
