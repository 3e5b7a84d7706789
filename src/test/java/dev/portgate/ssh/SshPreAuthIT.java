package dev.portgate.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TestGateway;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a stranger costs the SSH server before logging in: bounded sessions per source, and only the methods that can work. */
class SshPreAuthIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private TestGateway keyOnlyServer(int port) throws Exception {
        Path key = dir.resolve("alice");
        Processes.Result made = Processes.run(
                LIMIT, List.of(Peers.require("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
        assertThat(made.exit()).as(made.stderr()).isZero();
        String pub = Files.readString(dir.resolve("alice.pub")).strip();
        return new TestGateway("ssh-server:\n  listen: 127.0.0.1:" + port + "\n  users:\n"
                + "    - name: alice\n      authorized-keys: [ \"" + pub + "\" ]\n");
    }

    private static Processes.Result probe(int port, String bind) throws Exception {
        return Processes.run(
                LIMIT,
                List.of(
                        Peers.require("ssh"),
                        "-v",
                        "-p",
                        String.valueOf(port),
                        "-b",
                        bind,
                        "-o",
                        "StrictHostKeyChecking=no",
                        "-o",
                        "UserKnownHostsFile=/dev/null",
                        "-o",
                        "BatchMode=yes",
                        "-o",
                        "PubkeyAuthentication=no",
                        "-o",
                        "ConnectTimeout=10",
                        "mallory@127.0.0.1",
                        "true"));
    }

    /** True when the server closed this banner-only session (EOF after whatever it sent first). */
    private static boolean closedByServer(Socket s) throws Exception {
        s.setSoTimeout(500);
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // the banner and the key exchange offer
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true; // closed at once: the reset came before our banner was read
        }
    }

    @Test
    void withNoPasswordUserOnlyPublicKeyIsOffered() throws Exception {
        int port = Net.freeTcpPort();
        try (TestGateway gw = keyOnlyServer(port)) {
            Processes.Result r = probe(port, "127.0.0.1");
            assertThat(r.exit()).isNotZero();
            assertThat(r.stderr())
                    .containsPattern("Authentications that can continue: publickey\\s")
                    .doesNotContain("password")
                    .doesNotContain("keyboard-interactive");
        }
    }

    @Test
    void bannerOnlySessionsAreBoundedPerSourceAndOthersStillGetIn() throws Exception {
        int port = Net.freeTcpPort();
        List<Socket> held = new ArrayList<>();
        try (TestGateway gw = keyOnlyServer(port)) {
            for (int i = 0; i < PreAuthLimits.PER_SOURCE + 5; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                try {
                    s.getOutputStream().write("SSH-2.0-idle\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (SocketException reset) {
                    // closed by the server already; counted below
                }
                held.add(s);
            }
            long closed = 0;
            for (Socket s : held) {
                if (closedByServer(s)) {
                    closed++;
                }
            }
            assertThat(closed)
                    .as("sessions beyond the per-source bound are closed")
                    .isEqualTo(5);
            // The same source gets no further session while its ten wait; another source still reaches the login.
            assertThat(probe(port, "127.0.0.1").stderr()).doesNotContain("Authentications that can continue");
            assertThat(probe(port, "127.0.0.2").stderr()).contains("Authentications that can continue: publickey");
            for (Socket s : held) {
                s.close();
            }
            held.clear();
            assertThat(probe(port, "127.0.0.1").stderr()).contains("Authentications that can continue: publickey");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
