package dev.portgate.web;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Forward;
import dev.portgate.igd.IgdService;
import dev.portgate.igd.Upstream;
import dev.portgate.igd.UpstreamMapping;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Where the gateway can be reached from outside, and so what address a user gives to friends: the
 * router above's external address (UPnP, NAT-PMP or PCP), the one the igd section names, or a public
 * address on one of the gateway's own interfaces.
 */
final class Reachability {

    /** The outside address and where it was learned. */
    record Where(String address, String source) {}

    /** What one answer needs, read once: the outside address and the router above's mappings. */
    record Snapshot(Optional<Where> where, List<UpstreamMapping> mappings) {}

    private final IgdService igd;
    private final Upstream upstream;

    Reachability(IgdService igd, Upstream upstream) {
        this.igd = igd;
        this.upstream = upstream;
    }

    Upstream.Status upstream() {
        return upstream.status();
    }

    /** The router above as of its last round (never waiting on a slow router), for a whole list of forwards. */
    Snapshot snapshot() {
        Upstream.Status up = upstream.latest();
        return new Snapshot(where(up), up.mappings());
    }

    Optional<Where> where() {
        return where(upstream.latest());
    }

    private Optional<Where> where(Upstream.Status up) {
        if (!up.externalAddress().isEmpty()) {
            return Optional.of(new Where(up.externalAddress(), "the router above (" + up.method() + ")"));
        }
        InetAddress igdExternal = igd.externalAddress();
        if (igdExternal != null) {
            return Optional.of(new Where(igdExternal.getHostAddress(), "the igd section of the config"));
        }
        return publicInterfaceAddress().map(a -> new Where(a.getHostAddress(), "a public address of this machine"));
    }

    /** The address:port to give to someone outside, or a sentence saying why there is none. */
    String share(Forward f, Snapshot seen) {
        Optional<Where> where = seen.where();
        InetAddress listen = f.listen().address();
        String ports = f.listen().ports().toString();
        if (listen.isLoopbackAddress()) {
            return "only this machine can use it";
        }
        if (!listen.isAnyLocalAddress()) {
            return isPublic(listen)
                    ? Addresses.hostPort(listen.getHostAddress(), ports)
                    : "on your network: " + Addresses.hostPort(listen.getHostAddress(), ports);
        }
        if (where.isEmpty()) {
            return "outside address unknown: set up the router above (upstream) or forward " + ports
                    + " on your router to this machine";
        }
        String external = ports;
        for (UpstreamMapping m : seen.mappings()) {
            if (m.forward().equals(f.name()) && m.externalPort() > 0) {
                external = String.valueOf(m.externalPort());
                break;
            }
        }
        return Addresses.hostPort(where.get().address(), external);
    }

    private static boolean isPublic(InetAddress a) {
        return !(a.isLoopbackAddress()
                || a.isSiteLocalAddress()
                || a.isLinkLocalAddress()
                || a.isAnyLocalAddress()
                || a.isMulticastAddress()
                || (a.getAddress()[0] & 0xfe) == 0xfc
                || (a instanceof Inet4Address
                        && (a.getAddress()[0] & 0xff) == 100
                        && (a.getAddress()[1] & 0xc0) == 64)); // 100.64/10: the carrier's NAT, not public
    }

    private static Optional<InetAddress> publicInterfaceAddress() {
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (isPublic(a)) {
                        return Optional.of(a);
                    }
                }
            }
        } catch (SocketException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
