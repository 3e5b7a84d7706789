package dev.portgate.forward;

import java.util.Locale;

/**
 * What the name-routing front end does with a site's TLS on the shared https port: decrypt it with the site's
 * certificate and speak HTTP to the target, or route by the server name alone and let the target do TLS.
 */
public enum SiteTls {
    TERMINATE,
    PASSTHROUGH;

    public static SiteTls parse(String word) {
        return switch (word.strip().toLowerCase(Locale.ROOT)) {
            case "terminate" -> TERMINATE;
            case "passthrough" -> PASSTHROUGH;
            default -> throw new IllegalArgumentException(
                    "\"" + word + "\" is not a TLS mode — use terminate (portgate's certificate) or passthrough "
                            + "(the target's)");
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
