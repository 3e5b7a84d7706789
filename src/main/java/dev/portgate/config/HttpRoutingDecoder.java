package dev.portgate.config;

import dev.portgate.forward.BadHost;
import dev.portgate.forward.HostName;
import dev.portgate.forward.ListenSpec;
import dev.portgate.http.HttpRoutingConfig;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;

/** Reads {@code http-routing:}: the shared http and https ports that sites ({@code kind: http}) are routed on. */
final class HttpRoutingDecoder {

    static final String HINT = "http, https, domain, redirect";
    private static final Set<String> KEYS = Set.of("http", "https", "domain", "redirect");

    private HttpRoutingDecoder() {}

    static Optional<HttpRoutingConfig> decode(MappingNode node, Problems problems) {
        int before = problems.list().size();
        Fields f = new Fields(node, problems, "", KEYS, HINT);
        ListenSpec http = f.parsed("http", HttpRoutingDecoder::port).orElse(null);
        ListenSpec https = f.parsed("https", HttpRoutingDecoder::port).orElse(null);
        if (!f.has("http") && !f.has("https")) {
            f.problem("http", "http-routing: give http: (e.g. 0.0.0.0:80), https: (e.g. 0.0.0.0:443) or both");
        }
        if (http != null && https != null && http.overlaps(https)) {
            f.problem("https", "http-routing: http and https cannot share " + https);
        }
        HostName domain = f.parsed("domain", HttpRoutingDecoder::domain).orElse(null);
        boolean redirect = f.parsed("redirect", Fields::parseBoolean).orElse(true);
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new HttpRoutingConfig(http, https, domain, redirect));
    }

    private static ListenSpec port(String text) {
        ListenSpec l = ListenSpec.parse(text);
        if (l.ports().size() != 1) {
            throw new IllegalArgumentException("one port, not the range " + l.ports());
        }
        return l;
    }

    private static HostName domain(String text) {
        try {
            return HostName.parse(text);
        } catch (BadHost e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }
}
