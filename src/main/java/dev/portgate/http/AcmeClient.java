package dev.portgate.http;

import dev.portgate.forward.HostName;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
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
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * Obtains one certificate from an ACME directory with HTTP-01 (RFC 8555): an account (its key kept in the data
 * folder), an order for the name, the challenge answered on the plain port, the key and CSR, the chain. Blocking:
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

    private void validate(HostName name, Authorization auth) throws AcmeException, InterruptedException {
        Http01Challenge challenge = auth.findChallenge(Http01Challenge.class)
                .orElseThrow(() -> new AcmeException("the CA offers no http-01 challenge for " + name));
        answers.put(challenge.getToken(), challenge.getAuthorization());
        try {
            challenge.trigger();
            Status s = challenge.waitForCompletion(WAIT);
            if (s != Status.VALID) {
                throw new AcmeException("the CA could not validate " + name + " over http-01" + problem(challenge));
            }
        } finally {
            answers.remove(challenge.getToken());
        }
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
