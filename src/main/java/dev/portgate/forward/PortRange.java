package dev.portgate.forward;

/** An inclusive range of ports; a single port is a range of one. */
public record PortRange(int first, int last) {

    public static final int MIN = 1;
    public static final int MAX = 65535;

    public PortRange {
        if (first < MIN || last > MAX || first > last) {
            throw new IllegalArgumentException("bad port range " + first + "-" + last);
        }
    }

    public static PortRange of(int port) {
        return new PortRange(port, port);
    }

    /**
     * Parses {@code 8080} or {@code 8000-8100}.
     *
     * @throws IllegalArgumentException with a message a user can act on
     */
    public static PortRange parse(String text) {
        String s = text.strip();
        int dash = s.indexOf('-');
        if (dash < 0) {
            return of(parsePort(s));
        }
        int first = parsePort(s.substring(0, dash));
        int last = parsePort(s.substring(dash + 1));
        if (first > last) {
            throw new IllegalArgumentException("range " + s + " is reversed — write " + last + "-" + first);
        }
        return new PortRange(first, last);
    }

    private static int parsePort(String s) {
        String t = s.strip();
        if (t.isEmpty() || !t.chars().allMatch(Character::isDigit) || t.length() > 6) {
            throw new IllegalArgumentException("\"" + s + "\" is not a port number — use 1-65535");
        }
        int port = Integer.parseInt(t);
        if (port < MIN || port > MAX) {
            throw new IllegalArgumentException("port " + port + " is out of range — use 1-65535");
        }
        return port;
    }

    public int size() {
        return last - first + 1;
    }

    public boolean overlaps(PortRange other) {
        return first <= other.last && other.first <= last;
    }

    /** The port at the same offset in this range as {@code port} is in {@code from}. */
    public int mapFrom(PortRange from, int port) {
        return size() == 1 ? first : first + (port - from.first);
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
