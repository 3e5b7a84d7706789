package dev.portgate.forward;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;

/**
 * A destination rule of a proxy: {@code 10.0.0.0/8:*}, {@code 0.0.0.0/0:443}, {@code db.lan:5432},
 * {@code *.example.com:443}, {@code [2001:db8::]/32:*}, {@code *:*}. Networks match the resolved
 * address, names match the name the client asked for.
 */
public record Destination(Cidr network, String hostPattern, PortRange ports) {

    /** Any host, or any port, is written {@code *}; {@code ports} null means any port. */
    public static Destination parse(String text) {
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        int close = s.lastIndexOf(']');
        if (colon < 0 || colon < close) {
            throw new IllegalArgumentException(
                    "\"" + s + "\" has no port — write host-or-network:port, e.g. 10.0.0.0/8:* or db.lan:5432");
        }
        String host = s.substring(0, colon);
        String port = s.substring(colon + 1);
        PortRange ports = port.equals("*") ? null : PortRange.parse(port);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - (host.endsWith("]") ? 1 : 0))
                    .replace("]", "");
        }
        if (host.equals("*")) {
            return new Destination(null, "*", ports);
        }
        String addressPart = host.contains("/") ? host.substring(0, host.indexOf('/')) : host;
        if (Addresses.literal(addressPart) != null) {
            return new Destination(Cidr.parse(host), null, ports);
        }
        if (host.contains(":") && !host.contains(".")) {
            throw new IllegalArgumentException(
                    "\"" + s + "\": put an IPv6 network in brackets, e.g. [2001:db8::]/32:443");
        }
        String name = host.toLowerCase(Locale.ROOT);
        String bare = name.startsWith("*.") ? name.substring(2) : name;
        if (!TargetSpec.isHostName(bare)) {
            throw new IllegalArgumentException("\"" + host + "\" is neither a network (CIDR) nor a host name");
        }
        return new Destination(null, name, ports);
    }

    /**
     * True if this rule covers the destination. {@code name} is the host name the client gave (null
     * for an address); {@code address} is what it resolved to (null before resolving).
     */
    public boolean matches(String name, InetAddress address, int port) {
        if (ports != null && (port < ports.first() || port > ports.last())) {
            return false;
        }
        if (network != null) {
            return address != null && network.contains(address);
        }
        if (hostPattern.equals("*")) {
            return true;
        }
        if (name == null) {
            return false;
        }
        String n = name.toLowerCase(Locale.ROOT);
        return hostPattern.startsWith("*.") ? n.endsWith(hostPattern.substring(1)) : n.equals(hostPattern);
    }

    /** True for a network rule: it can only be decided once the name is resolved. */
    public boolean needsAddress() {
        return network != null;
    }

    @Override
    public String toString() {
        String host = network != null
                ? (network.network() instanceof Inet6Address ? "[" + network + "]" : network.toString())
                : hostPattern;
        return host + ":" + (ports == null ? "*" : ports.toString());
    }
}
