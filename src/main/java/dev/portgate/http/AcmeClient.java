package dev.portgate.http;

import dev.portgate.forward.HostName;
import dev.portgate.net.TlsContexts;
import dev.portgate.store.FileShelf;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Identifier;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.shredzone.acme4j.toolbox.AcmeUtils;
import org.shredzone.acme4j.toolbox.JoseUtils;

/**
 * Obtains one certificate from an ACME directory (RFC 8555): an account (its key kept in the data folder), an order
 * for the name, the challenge answered (http-01 on the plain port, or tls-alpn-01 on the https one), the key and CSR,
 * the chain. Blocking:
 * it runs on the certificate thread, never on an event loop.
 */
final class AcmeClient {

    private static final Duration WAIT = Duration.ofSeconds(90);

    record Issued(KeyPair keys, List<X509Certificate> chain) {}

    private final AcmeConfig config;
    private final Path dir;
    private final ChallengeAnswers answers;
    private Login login;

    AcmeClient(AcmeConfig config, Path dir, ChallengeAnswers answers) {
        this.config = config;
        this.dir = dir;
        this.answers = answers;
    }

    Issued obtain(HostName name) throws AcmeException, IOException, InterruptedException {
        Order order = login().getAccount().newOrder().domain(name.toString()).create();
        for (Authorization auth : order.getAuthorizations()) {
            if (auth.getStatus() != Status.VALID) {
                validate(name, auth);
            }
        }
        Status ready = order.waitUntilReady(WAIT);
        if (ready != Status.READY) {
            throw new AcmeException("the order for " + name + " is " + label(ready) + problem(order.getError()));
        }
        KeyPair keys = EcKeys.p256();
        order.execute(keys);
        Status done = order.waitForCompletion(WAIT);
        if (done != Status.VALID) {
            throw new AcmeException(
                    "the CA did not issue for " + name + ": the order is " + label(done) + problem(order.getError()));
        }
        return new Issued(keys, order.getCertificate().getCertificateChain());
    }

    private void validate(HostName name, Authorization auth) throws AcmeException, IOException, InterruptedException {
        if (config.challenge() == AcmeChallenge.TLS_ALPN_01) {
            TlsAlpn01Challenge challenge = auth.findChallenge(TlsAlpn01Challenge.class)
                    .orElseThrow(() -> new AcmeException("the CA offers no tls-alpn-01 challenge for " + name));
            KeyPair keys = validationKeys();
            X509Certificate proof = challenge.createCertificate(keys, Identifier.dns(name.toString()));
            answers.putTlsAlpn(name, validationContext(keys, proof));
            TlsAlpnShelf shared = answers.tlsAlpnShelf();
            try {
                if (shared != null) {
                    shared.publish(name, keys, proof); // the CA may reach another node of the cluster
                }
                check(name, challenge);
            } finally {
                answers.removeTlsAlpn(name);
                if (shared != null) {
                    shared.withdraw(name);
                }
            }
            return;
        }
        Http01Challenge challenge = auth.findChallenge(Http01Challenge.class)
                .orElseThrow(() -> new AcmeException("the CA offers no http-01 challenge for " + name));
        answers.put(challenge.getToken(), challenge.getAuthorization());
        try {
            check(name, challenge);
        } finally {
            answers.remove(challenge.getToken());
        }
    }

    private static void check(HostName name, Challenge challenge) throws AcmeException, InterruptedException {
        challenge.trigger();
        Status s = challenge.waitForCompletion(WAIT);
        if (s != Status.VALID) {
            throw new AcmeException(
                    "the CA could not validate " + name + " over " + challenge.getType() + problem(challenge));
        }
    }

    /** acme4j signs the validation certificate with SHA256withRSA only, so its key is RSA; it lives one check. */
    private static KeyPair validationKeys() throws IOException {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no RSA key generator: " + e.getMessage(), e);
        }
    }

    /** RFC 8737: the validation certificate, offered only to a handshake that asks for acme-tls/1 alone. */
    static SslContext validationContext(KeyPair keys, X509Certificate proof) throws IOException {
        return SslContextBuilder.forServer(keys.getPrivate(), proof)
                .sslProvider(TlsContexts.provider())
                .protocols("TLSv1.3", "TLSv1.2")
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        TlsAlpn01Challenge.ACME_TLS_1_PROTOCOL))
                .build();
    }

    /**
     * In a cluster: one account key for every node, made by the first node that needs it and kept in the store; with
     * it every node can answer http-01 for every order, whoever placed it. False when another node is making it now.
     */
    boolean shareAccount(FileShelf shelf) throws Exception {
        Path keyFile = dir.resolve("account.key.pem");
        boolean ran = shelf.exclusively("acme account " + dir.getFileName(), () -> {
            shelf.pull(keyFile);
            if (!Files.exists(keyFile)) {
                PemFiles.writeKeyPair(keyFile, EcKeys.p256());
            }
            shelf.push(keyFile);
        });
        if (ran) {
            KeyPair keys = PemFiles.readKeyPair(keyFile);
            answers.answerEveryToken(AcmeUtils.base64UrlEncode(JoseUtils.thumbprint(keys.getPublic())));
            login = null;
        }
        return ran;
    }

    private Login login() throws AcmeException, IOException {
        if (login == null) {
            Path keyFile = dir.resolve("account.key.pem");
            KeyPair keys;
            if (Files.exists(keyFile)) {
                keys = PemFiles.readKeyPair(keyFile);
            } else {
                keys = EcKeys.p256();
                PemFiles.writeKeyPair(keyFile, keys);
            }
            AccountBuilder account =
                    new AccountBuilder().agreeToTermsOfService().useKeyPair(keys);
            if (config.email() != null) {
                account.addEmail(config.email());
            }
            login = account.createLogin(session());
        }
        return login;
    }

    private Session session() throws IOException {
        if (config.trust() == null) {
            return new Session(config.directory());
        }
        return new Session(config.directory(), new TrustingProvider(trust(config.trust())));
    }

    /** An SSL context that trusts only the CAs in a PEM file: a private ACME server's own HTTPS. */
    private static SSLContext trust(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new IOException("acme: trust: " + pem + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new IOException("acme: trust: " + pem + " cannot be used: " + e.getMessage(), e);
        }
    }

    private static String label(Status s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    private static String problem(Challenge c) {
        return problem(c.getError());
    }

    private static String problem(Optional<Problem> p) {
        return p.map(x -> ": " + x.getDetail().orElse(x.getType().toString())).orElse("");
    }

    /** acme4j's generic provider, with an HTTP client that trusts the given CAs. */
    private static final class TrustingProvider extends GenericAcmeProvider {

        private final SSLContext ssl;

        TrustingProvider(SSLContext ssl) {
            this.ssl = ssl;
        }

        @Override
        protected HttpConnector createHttpConnector(NetworkSettings settings) {
            return new HttpConnector(settings) {
                @Override
                public HttpClient.Builder createClientBuilder() {
                    return super.createClientBuilder().sslContext(ssl);
                }
            };
        }
    }
}
