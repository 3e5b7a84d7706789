package dev.portgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A throw-away certificate authority made with openssl in a test's folder: {@code ca.pem}, and certificates it signs. */
public final class TestCa {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    private final Path dir;
    private final String openssl;

    private TestCa(Path dir) {
        this.dir = dir;
        this.openssl = Peers.require("openssl");
    }

    /** Makes {@code ca.pem} and {@code ca.key} in {@code dir}. */
    public static TestCa in(Path dir) throws Exception {
        TestCa ca = new TestCa(dir);
        ca.run(
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem");
        return ca;
    }

    public Path certificate() {
        return dir.resolve("ca.pem");
    }

    /**
     * Signs {@code who}.pem (key in {@code who}.key) with the X.509 extensions given in openssl's syntax, e.g.
     * {@code subjectAltName=DNS:nas.test} or {@code extendedKeyUsage=clientAuth}.
     */
    public void issue(String who, String extensions) throws Exception {
        run(
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                "/CN=" + who,
                "-keyout",
                who + ".key",
                "-out",
                who + ".csr");
        Files.writeString(dir.resolve(who + ".ext"), extensions + "\n");
        run(
                "x509",
                "-req",
                "-in",
                who + ".csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                who + ".ext",
                "-out",
                who + ".pem");
    }

    private void run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "cd \"$0\" && exec \"$@\"", dir.toString(), openssl));
        cmd.addAll(List.of(args));
        Processes.Result r = Processes.run(LIMIT, cmd);
        assertThat(r.exit())
                .as("openssl " + String.join(" ", args) + ": " + r.stderr())
                .isZero();
    }
}
