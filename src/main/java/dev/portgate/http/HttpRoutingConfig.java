package dev.portgate.http;

import dev.portgate.forward.HostName;
import dev.portgate.forward.ListenSpec;
import java.time.Duration;

/**
 * The {@code http-routing:} section: where the shared plain ({@code http}) and TLS ({@code https}) ports listen
 * (either may be absent), the domain under which short names are given out, whether plain requests are sent on
 * to https, the ACME directory certificates come from (null: self-signed ones), and how long a visitor may take to
 * send a request head once it has begun ({@code headerTimeout}: a slow-loris client is answered 408 and closed).
 */
public record HttpRoutingConfig(
        ListenSpec http, ListenSpec https, HostName domain, boolean redirect, AcmeConfig acme, Duration headerTimeout) {

    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(30);

    public HttpRoutingConfig {
        headerTimeout = headerTimeout == null ? DEFAULT_HEADER_TIMEOUT : headerTimeout;
        if (http == null && https == null) {
            throw new IllegalArgumentException("http-routing needs http:, https: or both");
        }
        redirect = redirect && https != null && http != null;
        if (acme != null && acme.challenge() == AcmeChallenge.HTTP_01 && http == null) {
            throw new IllegalArgumentException("http-routing: acme answers the CA's http-01 challenge on http:");
        }
        if (acme != null && acme.challenge() == AcmeChallenge.TLS_ALPN_01 && https == null) {
            throw new IllegalArgumentException("http-routing: acme answers the CA's tls-alpn-01 challenge on https:");
        }
    }
}
