package dev.portgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portgate.testing.HelloSite;
import dev.portgate.testing.Net;
import dev.portgate.testing.Pebble;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TestGateway;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Certificates from an ACME directory — Pebble, the ACME test CA — for sites on the https port, checked by curl. */
class AcmeIT {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    private Path dir;
    private HelloSite site;
    private int http;
    private int https;

    @BeforeEach
    void siteAndPorts() throws IOException {
        dir = Files.createTempDirectory("portgate-acme");
        http = Net.freeTcpPort();
        https = Net.freeTcpPort();
        site = HelloSite.start();
    }

    @AfterEach
    void stop() {
        site.close();
    }

    private String config(Pebble pebble, String... hosts) {
        StringBuilder y = new StringBuilder("http-routing:\n  http: 127.0.0.1:" + http + "\n  https: 127.0.0.1:"
                + https + "\n  acme:\n    directory: " + pebble.directory() + "\n    email: ops@example.net\n"
                + "    accept-terms: true\n    trust: " + pebble.trust() + "\nforwards:\n");
        int i = 0;
        for (String h : hosts) {
            y.append("  - { name: s")
                    .append(i++)
                    .append(", kind: http, host: \"")
                    .append(h)
                    .append("\", target: 127.0.0.1:")
                    .append(site.port())
                    .append(" }\n");
        }
        return y.toString();
    }

    private static Optional<CertificateStatus> status(TestGateway gw, String host) {
        return gw.gateway().httpRouting().certificates().stream()
                .filter(c -> c.host().equals(host))
                .findFirst();
    }

    /** GET https://name/ on the gateway, trusting only Pebble's root: succeeds only with the CA's certificate. */
    private Processes.Result trustingCa(Pebble pebble, String name) throws Exception {
        return curl(
                "--cacert",
                pebble.root().toString(),
                "--resolve",
                name + ":" + https + ":127.0.0.1",
                "https://" + name + ":" + https + "/");
    }

    private static void awaitAcmeCertificate(TestGateway gw, String host, String alias) {
        Awaitility.await(alias).atMost(LIMIT).until(() -> status(gw, host)
                .filter(s -> s.source().equals("acme") && s.state().equals("valid"))
                .isPresent());
    }

    private Processes.Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("curl"), "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        return Processes.run(LIMIT, cmd);
    }

    @Test
    void aNameGetsATrustedCertificateARefusedNameSaysWhyAndAWildcardIsNotAsked() throws Exception {
        try (Pebble pebble = Pebble.start(dir, http, Duration.ofHours(1))) {
            // The CA will look for refused.test where the gateway does not listen: its http-01 check fails.
            pebble.resolve("refused.test", "127.0.0.2");
            try (TestGateway gw = new TestGateway(config(pebble, "app.test", "refused.test", "*.wild.test"))) {
                awaitAcmeCertificate(gw, "app.test", "app.test's certificate from the CA");
                Processes.Result trusted = trustingCa(pebble, "app.test");
                assertThat(trusted.out()).as(trusted.stderr()).isEqualTo("hello from app.test\n");
                Path stored = Files.list(gw.dir().resolve("data/tls/acme"))
                        .findFirst()
                        .orElseThrow()
                        .resolve("app.test.key.pem");
                assertThat(Files.getPosixFilePermissions(stored)).hasSize(2); // owner read and write only

                Awaitility.await("refused.test's failure").atMost(LIMIT).until(() -> status(gw, "refused.test")
                        .filter(s -> s.state().equals("failed"))
                        .isPresent());
                CertificateStatus refused = status(gw, "refused.test").orElseThrow();
                assertThat(refused.error()).contains("refused.test");
                assertThat(refused.nextAttempt()).isNotNull();
                assertThat(refused.source()).isEqualTo("self-signed");
                // The refused name is still served, on its self-signed certificate, which curl does not trust.
                assertThat(trustingCa(pebble, "refused.test").exit()).isNotZero();
                assertThat(curl(
                                        "-k",
                                        "--resolve",
                                        "refused.test:" + https + ":127.0.0.1",
                                        "https://refused.test:" + https + "/")
                                .out())
                        .isEqualTo("hello from refused.test\n");

                CertificateStatus wild = status(gw, "*.wild.test").orElseThrow();
                assertThat(wild.error()).contains("DNS-01");
                assertThat(pebble.log()).doesNotContain("wild.test");
            }
        }
    }

    @Test
    void withoutAPlainPortTheCaChecksTheNameOverTlsAlpnOnTheHttpsPort() throws Exception {
        try (Pebble pebble = Pebble.start(dir, Net.freeTcpPort(), https, Duration.ofHours(1))) {
            // No http: port at all, so the CA's only way to check the name is a tls-alpn-01 handshake on https.
            String yaml = config(pebble, "app.test").replace("  http: 127.0.0.1:" + http + "\n", "");
            assertThat(yaml).doesNotContain("http: ");
            try (TestGateway gw = new TestGateway(yaml)) {
                awaitAcmeCertificate(gw, "app.test", "app.test's certificate over tls-alpn-01");
                Processes.Result trusted = trustingCa(pebble, "app.test");
                assertThat(trusted.out()).as(trusted.stderr()).isEqualTo("hello from app.test\n");
                // With no check open, a hello asking for acme-tls/1 gets no certificate at all.
                assertThat(Pebble.acmeTlsHello("127.0.0.1", https, "app.test"))
                        .contains("no peer certificate available");
            }
        }
    }

    @Test
    void aCertificateIsRenewedBeforeItExpiresAndKeptAcrossARestart() throws Exception {
        try (Pebble pebble = Pebble.start(dir, http, Duration.ofSeconds(30))) {
            Path state = Files.createTempDirectory("portgate-acme-state");
            BigInteger first;
            try (TestGateway gw = new TestGateway(config(pebble, "app.test"), state)) {
                Awaitility.await().atMost(LIMIT).until(() -> status(gw, "app.test")
                        .filter(s -> s.source().equals("acme"))
                        .isPresent());
                first = servedSerial("app.test");
                assertThat(first).isNotNull();
            }
            try (TestGateway gw = new TestGateway(config(pebble, "app.test"), state)) {
                // Served at once from the data folder, before any renewal is due (a third of 30 s is left).
                assertThat(servedSerial("app.test")).isEqualTo(first);
                Awaitility.await("a renewed certificate")
                        .atMost(LIMIT)
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> !first.equals(servedSerial("app.test")));
                Processes.Result trusted = trustingCa(pebble, "app.test");
                assertThat(trusted.out()).as(trusted.stderr()).isEqualTo("hello from app.test\n");
            }
        }
    }

    /** The serial of the certificate the https port shows for {@code name}, or null if nothing answers. */
    private BigInteger servedSerial(String name) throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new TrustManager[] {new AnyCertificate()}, new SecureRandom());
        try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", https)) {
            s.setSoTimeout(10_000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(name)));
            s.setSSLParameters(p);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        } catch (IOException e) {
            return null;
        }
    }

    /** Accepts any certificate: the test reads which one is shown, it does not trust it. */
    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
