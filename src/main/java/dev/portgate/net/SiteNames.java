package dev.portgate.net;

import dev.portgate.forward.BadHost;
import dev.portgate.forward.HostName;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * What the servers that take site requests from clients ({@code ssh -R demo:80:…}, a tunnel client's {@code host:})
 * need to know of name routing: whether it runs, the domain short names go under, and a site's address.
 */
public interface SiteNames {

    /** Whether the shared ports are configured: without them a site by name reaches nobody. */
    boolean running();

    /** The domain short site names are given under ({@code http-routing: domain:}), if one is set. */
    Optional<HostName> domain();

    /** Where visitors reach a site. */
    String url(HostName host);

    /**
     * The full name a client asking for {@code requested} gets: a full name as it is, a short one under the domain,
     * or (asked for none: null or empty) a random one there that names {@code owner}.
     */
    default HostName nameFor(String requested, String owner) throws BadHost {
        if (requested == null || requested.isEmpty()) {
            HostName domain =
                    domain().orElseThrow(() -> new BadHost("http-routing has no domain: to make a name under"));
            return HostName.parse(RandomLabel.next() + "-" + RandomLabel.safe(owner) + "." + domain);
        }
        HostName asked = HostName.parse(requested);
        if (asked.parent() != null) {
            return asked;
        }
        HostName domain = domain().orElseThrow(() -> new BadHost("\"" + requested
                + "\" is a short name, and http-routing has no domain: to put it under — ask for a full name"));
        return HostName.parse(asked + "." + domain);
    }

    /** Random site labels: five letters or digits, unguessable enough that a random site is not found by trying. */
    final class RandomLabel {
        private static final SecureRandom RANDOM = new SecureRandom();

        private RandomLabel() {}

        static String next() {
            byte[] raw = new byte[5];
            RANDOM.nextBytes(raw);
            StringBuilder label = new StringBuilder();
            for (byte b : raw) {
                label.append(Integer.toString((b & 0xff) % 36, 36));
            }
            return label.toString();
        }

        /** An owner's name as a label's tail: letters, digits and '-', at most 20. */
        public static String safe(String owner) {
            String s = owner.replaceAll("[^A-Za-z0-9-]", "-").toLowerCase(Locale.ROOT);
            return s.length() > 20 ? s.substring(0, 20) : s;
        }
    }
}
