package dev.portgate.forward;

/**
 * What a forward's {@code host:} claims: one name, or {@code *.example.net} — every name one label below
 * {@code example.net}, as a certificate's wildcard means it. An exact name wins over a wildcard that also matches.
 */
public record HostPattern(HostName name, boolean wildcard) {

    public static HostPattern parse(String text) throws BadHost {
        if (text == null || text.isBlank()) {
            throw new BadHost("no host name given");
        }
        String t = text.strip();
        if (t.startsWith("*.")) {
            HostName base = HostName.parse(t.substring(2));
            if (base.parent() == null) {
                // "*.net" would claim a whole top-level domain.
                throw new BadHost(HostName.shown(text) + " covers a whole top-level domain — use *.name.tld or below");
            }
            return new HostPattern(base, true);
        }
        return new HostPattern(HostName.parse(t), false);
    }

    public boolean matches(HostName host) {
        return wildcard ? name.equals(host.parent()) : name.equals(host);
    }

    @Override
    public String toString() {
        return wildcard ? "*." + name : name.toString();
    }
}
