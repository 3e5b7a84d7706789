package dev.portgate.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** How a tunnel client trusts its server: the pinned certificate fingerprint, or a CA. Nothing else. */
final class ServerTrust {

    private ServerTrust() {}

    static String fingerprint(Certificate cert) throws GeneralSecurityException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    }

    /**
     * Accepts exactly the certificate whose SHA-256 is {@code pinned} (64 hex digits), whatever name it carries: the
     * pin is stronger than a name check. Extended, so that the TLS engine asks it rather than its own checks.
     */
    static TrustManager pinned(String pinned) {
        return new PlainTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("a tunnel client does not take client certificates");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                if (chain == null || chain.length == 0) {
                    throw new CertificateException("the server sent no certificate");
                }
                String got;
                try {
                    got = fingerprint(chain[0]);
                } catch (GeneralSecurityException e) {
                    throw new CertificateException(e);
                }
                if (!MessageDigest.isEqual(
                        got.getBytes(StandardCharsets.US_ASCII), pinned.getBytes(StandardCharsets.US_ASCII))) {
                    throw new CertificateException("the server's certificate is sha256:" + got
                            + ", not the pinned sha256:" + pinned + " — refusing an unknown server");
                }
            }
        };
    }

    /** Trusts servers whose chain leads to a certificate in the PEM file {@code ca}. */
    static TrustManager ca(Path ca) throws IOException {
        try (InputStream in = Files.newInputStream(ca)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new IOException("ca: " + ca + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf.getTrustManagers()[0];
        } catch (GeneralSecurityException e) {
            throw new IOException("ca: cannot read " + ca + ": " + e.getMessage(), e);
        }
    }
}
