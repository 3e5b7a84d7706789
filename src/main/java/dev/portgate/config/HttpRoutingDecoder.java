package dev.portgate.config;

import dev.portgate.forward.BadHost;
import dev.portgate.forward.Durations;
import dev.portgate.forward.HostName;
import dev.portgate.forward.ListenSpec;
import dev.portgate.http.AcmeChallenge;
import dev.portgate.http.AcmeConfig;
import dev.portgate.http.HttpRoutingConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;

/** Reads {@code http-routing:}: the shared http and https ports that sites ({@code kind: http}) are routed on. */
final class HttpRoutingDecoder {

    static final String HINT = "http, https, domain, redirect, acme, header-timeout";
    private static final Set<String> KEYS = Set.of("http", "https", "domain", "redirect", "acme", "header-timeout");
    private static final Set<String> ACME_KEYS =
            Set.of("directory", "email", "accept-terms", "trust", "renew-before", "challenge");

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
        AcmeConfig acme = null;
        if (f.has("acme")) {
            if (f.at("acme") instanceof MappingNode m) {
                acme = acme(
                        new Fields(m, problems, "", ACME_KEYS, String.join(", ", ACME_KEYS)),
                        f.has("http"),
                        f.has("https"));
            } else {
                f.problem("acme", "http-routing: acme: must be a mapping (directory:, email:, accept-terms: …)");
            }
        }
        Duration headerTimeout =
                f.parsed("header-timeout", Durations::parse).orElse(HttpRoutingConfig.DEFAULT_HEADER_TIMEOUT);
        if (headerTimeout.compareTo(Duration.ofSeconds(1)) < 0 || headerTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
            f.problem(
                    "header-timeout",
                    "http-routing: header-timeout " + Durations.format(headerTimeout)
                            + " is out of range — give 1s to 10m (default 30s)");
        }
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new HttpRoutingConfig(http, https, domain, redirect, acme, headerTimeout));
    }

    /** {@code challenge} defaults to http-01 where there is a plain port, else tls-alpn-01 on the https one. */
    private static AcmeConfig acme(Fields f, boolean plain, boolean tls) {
        URI directory = ForwardDecoder.required(
                f,
                "directory",
                HttpRoutingDecoder::directory,
                "acme: directory: the CA's ACME URL, e.g. https://acme-v02.api.letsencrypt.org/directory");
        String email = f.scalar("email").orElse(null);
        if (email != null && (!email.contains("@") || email.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
            f.problem("email", "acme: email \"" + email + "\" is not an e-mail address");
        }
        boolean terms = f.parsed("accept-terms", Fields::parseBoolean).orElse(false);
        if (!terms) {
            f.problem(
                    "accept-terms",
                    "acme: the CA issues only to accounts that accept its terms of service — read them, then set "
                            + "accept-terms: true");
        }
        Path trust = f.parsed("trust", ProtectionDecoder::readable).orElse(null);
        Duration renewBefore = f.parsed("renew-before", Durations::parse).orElse(null);
        AcmeChallenge challenge = f.parsed("challenge", AcmeChallenge::parse)
                .orElse(plain ? AcmeChallenge.HTTP_01 : AcmeChallenge.TLS_ALPN_01);
        if (challenge == AcmeChallenge.HTTP_01 && !plain) {
            f.problem(
                    "challenge",
                    "acme: challenge: http-01 needs http: — the CA checks each name with a request to port 80; or use"
                            + " tls-alpn-01 on the https port");
        } else if (challenge == AcmeChallenge.TLS_ALPN_01 && !tls) {
            f.problem(
                    "challenge",
                    "acme: challenge: tls-alpn-01 needs https: — the CA checks each name with a handshake on port 443;"
                            + " or use http-01 on the http port");
        }
        return new AcmeConfig(directory, email, trust, renewBefore, challenge);
    }

    private static URI directory(String text) {
        try {
            URI u = new URI(text.strip());
            if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("\"" + text + "\" is not an http(s) URL");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a URL: " + e.getReason());
        }
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
