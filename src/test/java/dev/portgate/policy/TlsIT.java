package dev.portgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TestCa;
import dev.portgate.testing.TestGateway;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stunnel job: TLS terminated on the listen port (with or without client certificates), and TLS to the target. */
class TlsIT {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    private Path dir;
    private HttpServer backend;
    private final AtomicInteger hits = new AtomicInteger();

    @BeforeEach
    void certificatesAndBackend() throws Exception {
        dir = Files.createTempDirectory("portgate-tls");
        // A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA.
        TestCa ca = TestCa.in(dir);
        ca.issue("server", "subjectAltName=IP:127.0.0.1");
        ca.issue("client", "extendedKeyUsage=clientAuth");
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/", ex -> {
            hits.incrementAndGet();
            byte[] body = "hello from the backend\n".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        backend.start();
    }

    @AfterEach
    void stop() {
        backend.stop(0);
    }

    private Processes.Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("curl"), "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        return Processes.run(LIMIT, cmd);
    }

    private String forward(String name, int port, String extra) {
        return "  - name: " + name + "\n    listen: 127.0.0.1:" + port + "\n    target: 127.0.0.1:"
                + backend.getAddress().getPort() + "\n" + extra;
    }

    @Test
    void tlsOnTheListenPortWithAGivenCertificateWithClientCertificatesAndSelfSigned() throws Exception {
        int plain = Net.freeTcpPort();
        int mutual = Net.freeTcpPort();
        int selfSigned = Net.freeTcpPort();
        String tls = "    access: tls\n    tls-certificate: " + dir.resolve("server.pem") + "\n    tls-key: "
                + dir.resolve("server.key") + "\n";
        try (TestGateway gw = new TestGateway("forwards:\n" + forward("web", plain, tls)
                + forward("mtls", mutual, tls + "    tls-client-ca: " + dir.resolve("ca.pem") + "\n")
                + forward("quick", selfSigned, "    access: tls\n"))) {
            Processes.Result ok =
                    curl("--cacert", dir.resolve("ca.pem").toString(), "https://127.0.0.1:" + plain + "/");
            assertThat(ok.out()).as(ok.stderr()).isEqualTo("hello from the backend\n");
            // Plain HTTP on a TLS port gets nowhere.
            assertThat(curl("http://127.0.0.1:" + plain + "/").exit()).isNotZero();

            int before = hits.get();
            Processes.Result refused =
                    curl("--cacert", dir.resolve("ca.pem").toString(), "https://127.0.0.1:" + mutual + "/");
            assertThat(refused.exit()).as("no client certificate").isNotZero();
            assertThat(hits.get()).as("the target never saw it").isEqualTo(before);
            Processes.Result withCert = curl(
                    "--cacert",
                    dir.resolve("ca.pem").toString(),
                    "--cert",
                    dir.resolve("client.pem").toString(),
                    "--key",
                    dir.resolve("client.key").toString(),
                    "https://127.0.0.1:" + mutual + "/");
            assertThat(withCert.out()).as(withCert.stderr()).isEqualTo("hello from the backend\n");

            Processes.Result insecure = curl("--insecure", "https://127.0.0.1:" + selfSigned + "/");
            assertThat(insecure.out()).as(insecure.stderr()).isEqualTo("hello from the backend\n");
            assertThat(curl("--cacert", dir.resolve("ca.pem").toString(), "https://127.0.0.1:" + selfSigned + "/")
                            .exit())
                    .as("a self-signed certificate is not the CA's")
                    .isNotZero();
            assertThat(Files.exists(gw.dir().resolve("data/tls/quick.p12"))).isTrue();
        }
    }

    @Test
    void targetTlsWrapsTheWayToOpensslSServer() throws Exception {
        String openssl = Peers.require("openssl");
        int tlsBackend = Net.freeTcpPort();
        int port = Net.freeTcpPort();
        Process server = new ProcessBuilder(
                        openssl,
                        "s_server",
                        "-accept",
                        "127.0.0.1:" + tlsBackend,
                        "-cert",
                        "server.pem",
                        "-key",
                        "server.key",
                        "-www")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (TestGateway gw =
                new TestGateway("forwards:\n  - name: wrap\n    listen: 127.0.0.1:" + port + "\n    target: 127.0.0.1:"
                        + tlsBackend + "\n    target-tls: true\n    target-ca: " + dir.resolve("ca.pem") + "\n")) {
            Awaitility.await()
                    .atMost(LIMIT)
                    .until(() -> curl("http://127.0.0.1:" + port + "/").out().contains("s_server"));
            Processes.Result page = curl("http://127.0.0.1:" + port + "/");
            // openssl's status page names the protocol it spoke: TLS all the way to it.
            assertThat(page.out()).contains("Protocol  : TLSv1.3");
        } finally {
            server.destroy();
        }
    }
}
