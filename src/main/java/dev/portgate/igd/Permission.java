package dev.portgate.igd;

import dev.portgate.forward.Cidr;
import java.net.InetAddress;
import java.util.List;

/**
 * One permission line in miniupnpd's syntax — {@code allow|deny ext-ports device-cidr int-ports} —
 * deciding whether a device may map an external port onto one of its ports. First match wins;
 * with no match the request is denied.
 */
public record Permission(boolean allow, int extFirst, int extLast, Cidr device, int intFirst, int intLast) {

    public static Permission parse(String text) {
        String[] w = text.strip().split("\\s+");
        if (w.length != 4 || !(w[0].equals("allow") || w[0].equals("deny"))) {
            throw new IllegalArgumentException(
                    "\"" + text.strip() + "\" is not a permission line — write it like "
                            + "allow 1024-65535 192.168.1.0/24 1024-65535 (allow|deny, external ports, device CIDR, internal ports)");
        }
        int[] ext = ports(w[1]);
        int[] internal = ports(w[3]);
        return new Permission(w[0].equals("allow"), ext[0], ext[1], Cidr.parse(w[2]), internal[0], internal[1]);
    }

    private static int[] ports(String s) {
        String[] p = s.split("-", -1);
        if (p.length > 2) {
            throw new IllegalArgumentException("\"" + s + "\" is not a port or a range like 1024-65535");
        }
        int first = port(p[0]);
        int last = p.length == 2 ? port(p[1]) : first;
        if (first > last) {
            throw new IllegalArgumentException("port range " + s + " is reversed");
        }
        return new int[] {first, last};
    }

    private static int port(String s) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit) || Integer.parseInt(s) > 65535) {
            throw new IllegalArgumentException("\"" + s + "\" is not a port 0-65535");
        }
        return Integer.parseInt(s);
    }

    boolean matches(int externalPort, InetAddress device, int internalPort) {
        return externalPort >= extFirst
                && externalPort <= extLast
                && internalPort >= intFirst
                && internalPort <= intLast
                && this.device.contains(device);
    }

    /** True if the first matching line allows it; no matching line denies. */
    public static boolean permits(List<Permission> rules, int externalPort, InetAddress device, int internalPort) {
        for (Permission p : rules) {
            if (p.matches(externalPort, device, internalPort)) {
                return p.allow;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return (allow ? "allow " : "deny ") + extFirst + "-" + extLast + " " + device + " " + intFirst + "-" + intLast;
    }
}
