package dev.portgate.forward;

import java.util.Objects;

/** Where a forward's connections go: a host name or IP literal and a port range (one port, or one per listen port). */
public record TargetSpec(String host, PortRange ports) {

    public TargetSpec {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(ports, "ports");
        if (host.isBlank()) {
            throw new IllegalArgumentException("target host is empty");
        }
    }

    /** Parses {@code host:port}, {@code 192.168.1.7:27015-27020}, {@code [2001:db8::1]:80}. */
    public static TargetSpec parse(String text) {
        HostAndPorts hp = HostAndPorts.split(text.strip(), false);
        if (hp.host() == null) {
            throw new IllegalArgumentException(
                    "\"" + text.strip() + "\" has no host — write host:port, e.g. 192.168.1.5:80");
        }
        String host = hp.host();
        if (Addresses.literal(host) == null && looksLikeIpv4(host)) {
            throw new IllegalArgumentException(mistypedIpv4(host));
        }
        if (Addresses.literal(host) == null && !isHostName(host)) {
            throw new IllegalArgumentException("\"" + host + "\" is neither an IP address nor a host name");
        }
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return new TargetSpec(host, PortRange.parse(hp.ports()));
    }

    /** Only digits and dots: no host name is all numbers, so it is an IPv4 address typed wrong. */
    static boolean looksLikeIpv4(String host) {
        return !host.isEmpty() && host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    private static String mistypedIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        for (String p : parts) {
            if (!p.isEmpty() && p.length() <= 9 && Integer.parseInt(p) > 255) {
                return "\"" + host + "\" is not an IP address: " + p
                        + " is over 255 (each of the four numbers is 0-255)";
            }
        }
        return "\"" + host
                + "\" is not an IP address: an IPv4 address is four numbers 0-255 with dots, like 192.168.1.20";
    }

    static boolean isHostName(String host) {
        if (host.length() > 253 || host.startsWith(".") || host.startsWith("-")) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '_') {
                    return false;
                }
            }
        }
        return true;
    }

    public int portFor(PortRange listen, int listenPort) {
        return ports.mapFrom(listen, listenPort);
    }

    @Override
    public String toString() {
        return Addresses.hostPort(host, ports);
    }
}
