package dev.portgate.tunnel;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.TrustManager;

/**
 * The server's side of client certificates: the handshake takes any certificate a client presents (or none) — the
 * handshake itself proves the client holds its key — and the hello then knows the client by the certificate's
 * SHA-256 among the configured {@code client-certificates}, as SSH knows a user by an authorized key. A certificate
 * nobody listed authenticates no one.
 */
final class ClientCertificateTrust {

    private ClientCertificateTrust() {}

    static TrustManager anyPresented() {
        return new PlainTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // Matched by fingerprint at the hello.
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("the tunnel server does not check server certificates");
            }
        };
    }
}
