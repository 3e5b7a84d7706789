package dev.portgate.http;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code http-routing: acme:}: the ACME directory certificates come from, the contact e-mail, the CA's terms
 * accepted, the CA that signs a private ACME server's own HTTPS ({@code trust}, PEM), and how long before expiry to
 * renew ({@code null}: when a third of the certificate's lifetime is left, as certbot and Caddy do), and the
 * challenge the CA is asked to check.
 */
public record AcmeConfig(URI directory, String email, Path trust, Duration renewBefore, AcmeChallenge challenge) {}
