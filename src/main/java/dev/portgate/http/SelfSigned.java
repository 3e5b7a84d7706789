package dev.portgate.http;

import dev.portgate.forward.HostPattern;
import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A self-signed certificate for one site name (or wildcard), made in-process in a few milliseconds. */
final class SelfSigned {

    private static final Duration VALIDITY = Duration.ofDays(3650);
    private static final SecureRandom RANDOM = new SecureRandom();

    record Issued(KeyPair keys, X509Certificate certificate) {}

    private SelfSigned() {}

    static Issued create(HostPattern host) throws IOException {
        KeyPair keys = EcKeys.p256();
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=portgate " + host);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                subject,
                new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(VALIDITY)),
                subject,
                keys.getPublic());
        try {
            b.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, host.toString())));
            return new Issued(
                    keys,
                    new JcaX509CertificateConverter()
                            .getCertificate(
                                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))));
        } catch (OperatorCreationException | CertificateException e) {
            throw new IOException("cannot make a self-signed certificate for " + host + ": " + e.getMessage(), e);
        }
    }
}
