package dev.portgate.forward;

/** Splits {@code host:ports}, {@code [v6]:ports} or a bare {@code ports} into its parts. */
record HostAndPorts(String host, String ports) {

    static HostAndPorts split(String s, boolean hostOptional) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("is empty — write " + (hostOptional ? "[address:]port" : "host:port"));
        }
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("\"" + s + "\" is not [IPv6]:port — write it like [::1]:8080");
            }
            return new HostAndPorts(s.substring(0, close + 1), s.substring(close + 2));
        }
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            return new HostAndPorts(null, s);
        }
        if (s.indexOf(':') != colon) {
            throw new IllegalArgumentException("\"" + s + "\" looks like a bare IPv6 address — put it in brackets: ["
                    + s.substring(0, colon) + "]:" + s.substring(colon + 1));
        }
        if (colon == 0) {
            return new HostAndPorts(null, s.substring(1));
        }
        return new HostAndPorts(s.substring(0, colon), s.substring(colon + 1));
    }
}
