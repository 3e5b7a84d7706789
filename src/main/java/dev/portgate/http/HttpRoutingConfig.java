package dev.portgate.http;

import dev.portgate.forward.HostName;
import dev.portgate.forward.ListenSpec;

/**
 * The {@code http-routing:} section: where the shared plain ({@code http}) and TLS ({@code https}) ports listen
 * (either may be absent), the domain under which short names are given out, whether plain requests are sent on
 * to https, and the ACME directory certificates come from (null: self-signed ones).
 */
public record HttpRoutingConfig(ListenSpec http, ListenSpec https, HostName domain, boolean redirect, AcmeConfig acme) {

    public HttpRoutingConfig {
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
