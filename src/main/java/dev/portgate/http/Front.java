package dev.portgate.http;

import dev.portgate.forward.HostName;
import dev.portgate.policy.Policy;
import java.util.Optional;

/**
 * What every connection of the front end shares: the routing table, the policy, the section it runs under, the
 * ACME challenge answers of the moment and the login wall's sessions.
 */
record Front(
        HostRoutes<SiteGroup> routes,
        Policy policy,
        HttpRoutingConfig config,
        ChallengeAnswers answers,
        SiteLogins logins) {

    Optional<SiteGroup> site(HostName host) {
        return routes.lookup(host);
    }

    /** Where plain requests are sent on: {@code https://name} with the port when it is not 443. */
    String httpsUrl(HostName host, String uri) {
        int port = config.https().ports().first();
        String path = uri.startsWith("/") ? uri : "/";
        return "https://" + host + (port == 443 ? "" : ":" + port) + path;
    }
}
