package dev.portgate.kernel;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Limits;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.Protection;
import dev.portgate.forward.ProxyProtocol;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What in a port forward the kernel's NAT cannot do, field by field. Empty means the kernel can
 * carry it whole: addresses, ranges, allow/deny, connection and rate limits, doors, expiry.
 */
public final class KernelFit {

    /** One thing that keeps a forward on the relay: the field that asks for it, and why in a few words. */
    public record Obstacle(String field, String reason) {}

    private KernelFit() {}

    public static List<Obstacle> obstacles(PortForward f) {
        List<Obstacle> out = new ArrayList<>();
        Limits limits = f.limits();
        Protection p = limits.protection();
        if (f.proxyProtocol() != ProxyProtocol.NONE) {
            out.add(new Obstacle("proxy-protocol", "proxy-protocol needs the relay"));
        }
        if (p.tls() != null || p.access() == Protection.Access.TLS) {
            out.add(new Obstacle("tls", "tls needs the relay"));
        }
        if (p.targetTls()) {
            out.add(new Obstacle("target-tls", "target-tls needs the relay"));
        }
        if (p.bandwidth() > 0) {
            out.add(new Obstacle("bandwidth", "bandwidth shaping needs the relay"));
        }
        if (!limits.idleTimeout().isZero()) {
            out.add(new Obstacle("idle-timeout", "idle-timeout needs the relay"));
        }
        if (!p.closeWhenIdle().isZero()) {
            out.add(new Obstacle("close-when-idle", "close-when-idle needs the relay"));
        }
        InetAddress target = Addresses.literal(f.target().host());
        if (target == null) {
            out.add(new Obstacle("target", "the target is a host name"));
            return out;
        }
        InetAddress listen = f.listen().address();
        if (listen.isLoopbackAddress()) {
            out.add(new Obstacle("listen", "listens on loopback only, which the kernel's NAT does not serve"));
        } else if (target.isLoopbackAddress()) {
            out.add(new Obstacle("target", "the target is a loopback address, which the kernel's NAT does not reach"));
        } else if ((listen instanceof Inet4Address) != (target instanceof Inet4Address)) {
            out.add(new Obstacle(
                    "target",
                    "listen " + f.listen().host() + " takes "
                            + (listen instanceof Inet4Address ? "IPv4" : "IPv6")
                            + " clients and the kernel cannot translate them to an "
                            + (target instanceof Inet4Address ? "IPv4" : "IPv6") + " target"));
        }
        return out;
    }
}
