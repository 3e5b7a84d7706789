package dev.portgate.forward;

import java.net.IDN;
import java.util.Locale;

/**
 * A host name as name routing compares it: ASCII (an international name in its {@code xn--} form), lower case, with
 * no trailing dot and no port. Built from what strangers send (a Host header, a TLS server name) and from the config,
 * so the same site is the same key whichever way it was written.
 */
public record HostName(String ascii) {

    /** The longest name DNS carries (RFC 1035), in its dotted text form. */
    static final int MAX_LENGTH = 253;

    private static final int MAX_LABEL = 63;

    /** Only {@link #parse}, {@link #fromHeader} and {@link #fromServerName} make one. */
    public HostName {
        if (ascii == null || ascii.isEmpty()) {
            throw new IllegalArgumentException("empty host name");
        }
    }

    /** A name as a person writes it (the config, the API): no port; a trailing dot and upper case are fine. */
    public static HostName parse(String text) throws BadHost {
        if (text == null || text.isBlank()) {
            throw new BadHost("no host name given");
        }
        return normalise(text.strip(), text);
    }

    /** The value of an HTTP Host header or HTTP/2 {@code :authority}: a name with an optional port. */
    public static HostName fromHeader(String value) throws BadHost {
        if (value == null || value.isBlank()) {
            throw new BadHost("the request names no host");
        }
        String v = value.strip();
        if (v.startsWith("[")) {
            throw new BadHost(shown(value) + " is an IPv6 address, not a site's name");
        }
        int colon = v.lastIndexOf(':');
        if (colon >= 0) {
            if (v.indexOf(':') != colon) {
                throw new BadHost(shown(value) + " is not a host name (more than one ':')");
            }
            port(v.substring(colon + 1), value);
            v = v.substring(0, colon);
        }
        return normalise(v, value);
    }

    /** A TLS client's server name (SNI): a name with no port, which TLS says carries no trailing dot. */
    public static HostName fromServerName(String value) throws BadHost {
        if (value == null || value.isEmpty()) {
            throw new BadHost("the TLS client named no server");
        }
        return normalise(value, value);
    }

    /** The name one label up ({@code b.example.net} for {@code a.b.example.net}), or null for a single label. */
    public HostName parent() {
        int dot = ascii.indexOf('.');
        return dot < 0 ? null : new HostName(ascii.substring(dot + 1));
    }

    @Override
    public String toString() {
        return ascii;
    }

    private static void port(String digits, String value) throws BadHost {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new BadHost(shown(value) + " has no valid port after ':'");
        }
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw new BadHost(shown(value) + " has port " + port + ", outside 1-65535");
        }
    }

    private static HostName normalise(String name, String given) throws BadHost {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty()) {
            throw new BadHost(shown(given) + " is not a host name");
        }
        if (n.length() > 4 * MAX_LENGTH) {
            // Checked before IDN conversion, which would otherwise work through a stranger's megabyte.
            throw new BadHost("the host name is " + n.length() + " characters long; the most is " + MAX_LENGTH);
        }
        if (!n.chars().allMatch(c -> c < 0x80)) {
            try {
                n = IDN.toASCII(n, IDN.USE_STD3_ASCII_RULES);
            } catch (IllegalArgumentException e) {
                throw new BadHost(shown(given) + " is not a valid international name: " + idnaReason(e));
            }
        }
        n = n.toLowerCase(Locale.ROOT);
        if (n.length() > MAX_LENGTH) {
            throw new BadHost("the host name is " + n.length() + " characters long; the most is " + MAX_LENGTH);
        }
        int start = 0;
        while (start <= n.length()) {
            int dot = n.indexOf('.', start);
            int end = dot < 0 ? n.length() : dot;
            label(n.substring(start, end), given);
            if (dot < 0) {
                break;
            }
            start = dot + 1;
        }
        return new HostName(n);
    }

    /** Letters, digits and inner hyphens, 1 to 63 of them (RFC 1123). */
    private static void label(String label, String given) throws BadHost {
        if (label.isEmpty()) {
            throw new BadHost(shown(given) + " has an empty label (two dots in a row, or a leading dot)");
        }
        if (label.length() > MAX_LABEL) {
            throw new BadHost(
                    shown(given) + " has a label of " + label.length() + " characters; the most is " + MAX_LABEL);
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) {
                throw new BadHost(shown(given) + " has " + (c == '*' ? "a wildcard" : "the character " + shownChar(c))
                        + " — a host name has letters, digits, hyphens and dots");
            }
        }
        if (label.startsWith("-") || label.endsWith("-")) {
            throw new BadHost(shown(given) + " has a label that starts or ends with '-'");
        }
    }

    /**
     * Why IDNA refused a name, without the name: the JDK's message ends with the offending characters, which are the
     * stranger's and may be anything.
     */
    private static String idnaReason(IllegalArgumentException e) {
        String m = String.valueOf(e.getMessage());
        int colon = m.lastIndexOf(": ");
        String reason = colon >= 0 ? m.substring(colon + 2) : m;
        int end = 0;
        while (end < reason.length() && end < 120 && reason.charAt(end) >= 0x20 && reason.charAt(end) < 0x7f) {
            end++;
        }
        String plain = reason.substring(0, end).strip();
        return plain.isEmpty() ? "refused by IDNA" : plain;
    }

    /** A stranger's text, safe to put in a log line or an error page: quoted, printable, at most about 80 characters. */
    static String shown(String text) {
        StringBuilder b = new StringBuilder("\"");
        int i = 0;
        for (; i < text.length() && b.length() < 80; i++) {
            char c = text.charAt(i);
            b.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? String.valueOf(c) : shownChar(c));
        }
        if (i < text.length()) {
            b.append("…");
        }
        return b.append('"').toString();
    }

    private static String shownChar(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("\\u%04x", (int) c);
    }
}
