package dev.portgate.http;

import java.time.Instant;

/**
 * What the console says about one site's certificate: where it comes from ({@code acme} or {@code self-signed}),
 * whether it is {@code valid}, being {@code obtaining} or {@code failed} (with the CA's reason and the next try).
 */
public record CertificateStatus(
        String host,
        String source,
        String state,
        Instant notBefore,
        Instant notAfter,
        String error,
        Instant nextAttempt) {

    CertificateStatus with(String newState, String newError, Instant next) {
        return new CertificateStatus(host, source, newState, notBefore, notAfter, newError, next);
    }
}
