package dev.portgate.forward;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Objects;

/**
 * Where a forward listens: an IP address (0.0.0.0 or :: for every address) and a port range.
 * Addresses are literals so that binding never waits for DNS.
 */
public record ListenSpec(InetAddress address, PortRange ports) {

    public ListenSpec {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(ports, "ports");
    }

    /** Parses {@code 8080}, {@code 0.0.0.0:8080}, {@code [::1]:8000-8100}; no address means 0.0.0.0. */
    public static ListenSpec parse(String text) {
        String s = text.strip();
        HostAndPorts hp = HostAndPorts.split(s, true);
        InetAddress address;
        if (hp.host() == null || hp.host().equals("*")) {
            address = Addresses.literal("0.0.0.0");
        } else {
            address = Addresses.literal(hp.host());
            if (address == null) {
                throw new IllegalArgumentException(
                        "\"" + hp.host()
                                + "\" is not an IP address — listen takes an address literal such as 0.0.0.0, 127.0.0.1 or [::]");
            }
        }
        return new ListenSpec(address, PortRange.parse(hp.ports()));
    }

    public boolean isWildcard() {
        return address.isAnyLocalAddress();
    }

    /** A wildcard overlaps every address (on Linux, [::] also takes IPv4). */
    public boolean overlaps(ListenSpec other) {
        return ports.overlaps(other.ports) && (isWildcard() || other.isWildcard() || address.equals(other.address));
    }

    public String host() {
        return NetUtil.toAddressString(address);
    }

    @Override
    public String toString() {
        return Addresses.hostPort(host(), ports);
    }
}
