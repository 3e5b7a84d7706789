package dev.portgate.http;

import dev.portgate.forward.HostName;
import dev.portgate.forward.ListenSpec;

/**
 * The {@code http-routing:} section: where the shared plain ({@code http}) and TLS ({@code https}) ports listen
 * (either may be absent), the domain under which short names are given out, and whether plain requests are sent on
 * to https.
 */
public record HttpRoutingConfig(ListenSpec http, ListenSpec https, HostName domain, boolean redirect) {

    public HttpRoutingConfig {
        if (http == null && https == null) {
            throw new IllegalArgumentException("http-routing needs http:, https: or both");
        }
        redirect = redirect && https != null && http != null;
    }
}
