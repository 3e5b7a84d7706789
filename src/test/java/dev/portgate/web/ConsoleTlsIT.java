package dev.portgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console over TLS: a self-signed certificate made on first start, its fingerprint printed, the CLI trusting it. */
class ConsoleTlsIT {

    @TempDir
    Path dir;

    @Test
    void selfSignedTlsConsoleWithFingerprintAndSecureCookies() throws Exception {
        String curl = Peers.require("curl");
        Path data = dir.resolve("data");
        try (JarProcess gw = JarProcess.start(
                dir,
                Map.of("PORTGATE_ADMIN_PASSWORD", "correct-horse-battery"),
                "serve",
                "--data",
                data.toString(),
                "--console",
                "127.0.0.1:0",
                "--console-tls")) {
            String out = gw.awaitOutput("portgate started");
            Matcher m = Pattern.compile(
                            "console and API on (https://127\\.0\\.0\\.1:\\d+) \\(TLS, certificate SHA-256 ([0-9A-F:]{95})\\)")
                    .matcher(out);
            assertThat(m.find()).as(out).isTrue();
            String url = m.group(1);
            assertThat(Files.readString(data.resolve("console-url")).strip()).isEqualTo(url);
            assertThat(Files.getPosixFilePermissions(data.resolve("console.p12")))
                    .hasSize(2);

            // Without trusting the certificate, curl refuses; with the fingerprint checked by hand (-k) it gets
            // through.
            Processes.Result untrusted =
                    Processes.run(Duration.ofSeconds(20), List.of(curl, "-sS", url + "/api/v1/health"));
            assertThat(untrusted.exit()).isNotZero();
            Processes.Result login = Processes.run(
                    Duration.ofSeconds(20),
                    List.of(
                            curl,
                            "-sk",
                            "-i",
                            "-H",
                            "Content-Type: application/json",
                            "-d",
                            "{\"password\":\"correct-horse-battery\"}",
                            url + "/api/v1/session"));
            assertThat(login.out())
                    .contains("HTTP/1.1 200")
                    .containsPattern(
                            "(?i)set-cookie: pg_session=[^;]+; Path=/; Max-Age=\\d+; HttpOnly; SameSite=Strict; Secure")
                    .containsPattern("(?i)strict-transport-security: max-age=");
            // The CLI trusts the data folder's own certificate.
            Processes.Result status = JarProcess.run(dir, "status", "--data", data.toString());
            assertThat(status.exit()).as(status.stderr()).isZero();
            assertThat(status.out()).contains("portgate is running");
        }
    }
}
