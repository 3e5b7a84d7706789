package dev.portgate.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.testing.HttpFiles;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TcpPeers;
import dev.portgate.testing.TestGateway;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** portgate's tunnels through a throwaway OpenSSH sshd on loopback: local, remote and dynamic, host keys, reconnection. */
class SshTunnelsIT {

    private static final Duration LIMIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    private HttpFiles files;
    private Process sshd;
    private int sshPort;
    private String hostKeyLine;

    @BeforeEach
    void start() throws Exception {
        String keygen = Peers.require("ssh-keygen");
        Peers.require("sshd");
        for (String k : List.of("host", "client")) {
            Processes.Result r = Processes.run(
                    LIMIT,
                    List.of(
                            keygen,
                            "-q",
                            "-t",
                            "ed25519",
                            "-N",
                            "",
                            "-f",
                            dir.resolve(k).toString()));
            assertThat(r.exit()).as(r.stderr()).isZero();
        }
        Files.copy(dir.resolve("client.pub"), dir.resolve("authorized_keys"));
        sshPort = Net.freeTcpPort();
        Files.writeString(
                dir.resolve("sshd_config"),
                "Port " + sshPort + "\nListenAddress 127.0.0.1\nHostKey " + dir.resolve("host")
                        + "\nAuthorizedKeysFile " + dir.resolve("authorized_keys")
                        + "\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                        + "PermitRootLogin prohibit-password\nStrictModes no\nAllowTcpForwarding yes\nPidFile "
                        + dir.resolve("sshd.pid") + "\n"
                        // Every cipher but aes256-ctr, so that an endpoint limited to it finds no match.
                        + "Ciphers aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr\n"
                        // New keys every 256 KiB: every transfer crosses key exchanges, as a long-lived tunnel does
                        // every GiB.
                        + "RekeyLimit 256K\n");
        hostKeyLine = "[127.0.0.1]:" + sshPort + " "
                + Files.readString(dir.resolve("host.pub")).strip();
        Files.writeString(dir.resolve("known_hosts"), hostKeyLine + "\n");
        Files.writeString(dir.resolve("empty_known_hosts"), "");
        Files.createDirectories(Path.of("/run/sshd"));
        startSshd();
        files = new HttpFiles(InetAddress.getLoopbackAddress(), 3 * 1024 * 1024);
    }

    private void startSshd() throws Exception {
        sshd = new ProcessBuilder(
                        Peers.require("sshd"),
                        "-D",
                        "-e",
                        "-f",
                        dir.resolve("sshd_config").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile())
                .start();
        await().atMost(LIMIT).ignoreExceptions().until(() -> {
            try (Socket s = new Socket("127.0.0.1", sshPort)) {
                return s.isConnected();
            }
        });
    }

    @AfterEach
    void stop() {
        if (sshd != null) {
            sshd.descendants().forEach(ProcessHandle::destroyForcibly);
            sshd.destroyForcibly();
        }
        if (files != null) {
            files.close();
        }
    }

    private String endpoint(String name, String knownHosts) {
        return "  - name: " + name + "\n    host: 127.0.0.1\n    port: " + sshPort + "\n    user: "
                + System.getProperty("user.name") + "\n    identity: " + dir.resolve("client") + "\n    known-hosts: "
                + dir.resolve(knownHosts) + "\n    keepalive: 1s\n";
    }

    private static Processes.Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("curl"), "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        return Processes.run(LIMIT, cmd);
    }

    private void assertDownload(String... args) throws Exception {
        await().atMost(LIMIT).ignoreExceptions().until(() -> curl(args).exit() == 0);
        Processes.Result r = curl(args);
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(HttpFiles.sha256(r.stdout())).isEqualTo(files.sha256());
    }

    @Test
    void aRemoteForwardCarriesEveryByteATargetSendsRightBeforeItCloses() throws Exception {
        // A target that writes 512 KiB and closes at once, as an HTTP/1.0 server does: its last bytes are read
        // while earlier ones still wait for the SSH window or socket, and must not be lost to the close (with MINA's
        // own forwarder on this side they were).
        byte[] blob = new byte[512 * 1024];
        new Random(5).nextBytes(blob);
        Path file = dir.resolve("blob");
        Files.write(file, blob);
        int target = Net.freeTcpPort();
        int remote = Net.freeTcpPort();
        // -U: from the right address to the left; the file is opened anew for each connection.
        Process socat = new ProcessBuilder(
                        Peers.require("socat"),
                        "-U",
                        "TCP-LISTEN:" + target + ",bind=127.0.0.1,reuseaddr,fork",
                        "OPEN:" + file + ",rdonly")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("socat.log").toFile())
                .start();
        try (TestGateway gw = new TestGateway("ssh-endpoints:\n" + endpoint("vps", "known_hosts") + "forwards:\n"
                + "  - { name: back, kind: remote, listen: 127.0.0.1:" + remote + ", via: vps, target: 127.0.0.1:"
                + target + " }\n")) {
            await().atMost(LIMIT).ignoreExceptions().until(() -> readAll(remote).length > 0); // the forward is up
            for (int i = 0; i < 20; i++) {
                byte[] got = readAll(remote);
                assertThat(got.length).as("bytes of connection %d", i).isEqualTo(blob.length);
                assertThat(got).as("connection %d", i).isEqualTo(blob);
            }
        } finally {
            Processes.stop(socat);
        }
    }

    @Test
    void aRemoteForwardWhoseTargetIsDownRefusesItsConnectionsUntilTheTargetIsBack() throws Exception {
        int target = Net.freeTcpPort(); // nothing listens there yet
        int remote = Net.freeTcpPort();
        try (TestGateway gw = new TestGateway("ssh-endpoints:\n" + endpoint("vps", "known_hosts") + "forwards:\n"
                + "  - { name: later, kind: remote, listen: 127.0.0.1:" + remote + ", via: vps, target: 127.0.0.1:"
                + target + " }\n")) {
            // sshd accepts on the forward's port and asks us for a channel; we cannot reach the target, so it closes.
            await().atMost(LIMIT)
                    .ignoreExceptions()
                    .until(() ->
                            readAll(remote).length == 0 && gw.stats("later").dialFailures() > 0);
            assertThat(gw.stats("later").connectionsTotal()).isZero();
            try (TcpPeers up = TcpPeers.start(InetAddress.getLoopbackAddress(), target, (socket, self) -> {
                try (socket) {
                    socket.getOutputStream().write("up\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the test reads the answer or fails
                }
            })) {
                assertThat(new String(readAll(remote), StandardCharsets.US_ASCII))
                        .isEqualTo("up\n");
                assertThat(gw.stats("later").connectionsTotal()).isEqualTo(1);
                assertThat(gw.gateway().endpoints().status().get(0).state()).isEqualTo("connected");
            }
        }
    }

    /** Everything the remote forward's port sends until it closes. */
    private static byte[] readAll(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) LIMIT.toMillis());
            return s.getInputStream().readAllBytes();
        }
    }

    @Test
    void localRemoteAndDynamicTunnelsCarryDataAndComeBackAfterTheServerRestarts() throws Exception {
        int local = Net.freeTcpPort();
        int socks = Net.freeTcpPort();
        int remote = Net.freeTcpPort();
        try (TestGateway gw = new TestGateway("ssh-endpoints:\n" + endpoint("vps", "known_hosts") + "forwards:\n"
                + "  - { name: db, kind: local, listen: 127.0.0.1:" + local + ", via: vps, target: 127.0.0.1:"
                + files.port() + " }\n"
                + "  - { name: site, kind: remote, listen: 127.0.0.1:" + remote + ", via: vps, target: 127.0.0.1:"
                + files.port() + " }\n"
                + "  - { name: egress, kind: dynamic, listen: 127.0.0.1:" + socks
                + ", via: vps, permit-open: [\"127.0.0.0/8:*\", \"localhost:*\"] }\n")) {
            await().atMost(LIMIT)
                    .until(() ->
                            gw.gateway().endpoints().status().get(0).state().equals("connected"));
            assertDownload("http://127.0.0.1:" + local + "/file");
            assertDownload("--socks5-hostname", "127.0.0.1:" + socks, "http://localhost:" + files.port() + "/file");
            assertDownload("http://127.0.0.1:" + remote + "/file");
            assertThat(gw.stats("db").bytesOut()).isGreaterThan(3L * 1024 * 1024);
            // The connections the server passes back are the remote forward's own, counted like a port forward's.
            assertThat(gw.stats("site").bytesOut()).isGreaterThan(3L * 1024 * 1024);
            assertThat(gw.stats("site").connectionsTotal()).isGreaterThanOrEqualTo(2);

            // The server goes away and comes back: the link reconnects and asks again for its remote forward.
            // sshd serves each connection in a child process: stop them all, as a reboot would.
            sshd.descendants().forEach(ProcessHandle::destroyForcibly);
            sshd.destroyForcibly().waitFor();
            await().atMost(LIMIT)
                    .until(() ->
                            !gw.gateway().endpoints().status().get(0).state().equals("connected"));
            Processes.Result down = curl("http://127.0.0.1:" + local + "/file");
            assertThat(down.exit())
                    .as("a connection while the link is down fails cleanly")
                    .isNotZero();
            startSshd();
            await().atMost(LIMIT)
                    .until(() ->
                            gw.gateway().endpoints().status().get(0).state().equals("connected"));
            assertDownload("http://127.0.0.1:" + remote + "/file");
            assertDownload("http://127.0.0.1:" + local + "/file");
        }
    }

    @Test
    void aChangedEndpointReconnectsAndItsForwardsCarryOn() throws Exception {
        int local = Net.freeTcpPort();
        int remote = Net.freeTcpPort();
        String forwards = "forwards:\n"
                + "  - { name: db, kind: local, listen: 127.0.0.1:" + local + ", via: vps, target: 127.0.0.1:"
                + files.port() + " }\n"
                + "  - { name: site, kind: remote, listen: 127.0.0.1:" + remote + ", via: vps, target: 127.0.0.1:"
                + files.port() + " }\n";
        try (TestGateway gw = new TestGateway("ssh-endpoints:\n" + endpoint("vps", "known_hosts") + forwards)) {
            await().atMost(LIMIT)
                    .until(() ->
                            gw.gateway().endpoints().status().get(0).state().equals("connected"));
            assertDownload("http://127.0.0.1:" + local + "/file");
            var loop = gw.gateway().endpoints().loopOf("vps");

            // A new keepalive: a new connection, its remote forward asked for again, the local listener untouched.
            gw.apply("ssh-endpoints:\n" + endpoint("vps", "known_hosts").replace("keepalive: 1s", "keepalive: 2s")
                    + forwards);
            await().atMost(LIMIT)
                    .until(() ->
                            gw.gateway().endpoints().status().get(0).state().equals("connected"));
            assertDownload("http://127.0.0.1:" + remote + "/file");
            assertDownload("http://127.0.0.1:" + local + "/file");
            // The listener of "db" accepts on the endpoint's loop; the new connection is on that loop too.
            assertThat(gw.gateway().endpoints().loopOf("vps")).isSameAs(loop);
        }
    }

    @Test
    void anEndpointOffersTheCiphersItNamesAndNoOthers() throws Exception {
        int local = Net.freeTcpPort();
        int other = Net.freeTcpPort();
        try (TestGateway gw = new TestGateway("ssh-endpoints:\n" + endpoint("chacha", "known_hosts")
                + "    ciphers: [ chacha20-poly1305@openssh.com ]\n" + endpoint("ctr", "known_hosts")
                + "    ciphers: [ aes256-ctr ]\n"
                + "forwards:\n  - { name: db, kind: local, listen: 127.0.0.1:" + local
                + ", via: chacha, target: 127.0.0.1:" + files.port() + " }\n"
                + "  - { name: no, kind: local, listen: 127.0.0.1:" + other + ", via: ctr, target: 127.0.0.1:"
                + files.port() + " }\n")) {
            await().atMost(LIMIT).until(() -> gw.gateway().endpoints().status().stream()
                    .anyMatch(s -> s.name().equals("chacha") && s.state().equals("connected")));
            assertDownload("http://127.0.0.1:" + local + "/file");
            await().atMost(LIMIT).until(() -> gw.gateway().endpoints().status().stream()
                    .anyMatch(s -> s.name().equals("ctr") && s.lastError() != null));
            assertThat(gw.gateway().endpoints().status().stream()
                            .filter(s -> s.name().equals("ctr"))
                            .findFirst()
                            .orElseThrow()
                            .state())
                    .isNotEqualTo("connected");
        }
    }

    @Test
    void anUnknownHostKeyIsRefused() throws Exception {
        int local = Net.freeTcpPort();
        try (TestGateway gw = new TestGateway("ssh-endpoints:\n" + endpoint("stranger", "empty_known_hosts")
                + "forwards:\n" + "  - { name: db, kind: local, listen: 127.0.0.1:" + local
                + ", via: stranger, target: 127.0.0.1:" + files.port() + " }\n")) {
            await().atMost(LIMIT)
                    .until(() -> gw.gateway().endpoints().status().get(0).lastError() != null);
            assertThat(gw.gateway().endpoints().status().get(0).state()).isNotEqualTo("connected");
            Processes.Result r = curl("http://127.0.0.1:" + local + "/file");
            assertThat(r.exit()).isNotZero();
            assertThat(r.stdout()).isEmpty();
        }
    }

    /** {@code portgate ssh -N -L FORWARD -p PORT -i KEY -o UserKnownHostsFile=KNOWN me@127.0.0.1}. */
    private JarProcess oneLiner(String forward, int port, Path key, String knownHosts) throws IOException {
        return JarProcess.start(
                dir,
                "ssh",
                "-N",
                "-L",
                forward,
                "-p",
                String.valueOf(port),
                "-i",
                key.toString(),
                "-o",
                "UserKnownHostsFile=" + dir.resolve(knownHosts),
                System.getProperty("user.name") + "@127.0.0.1");
    }

    @Test
    void theOneLinerExits255OnAnUnknownHostKeyOrARefusedKeyAndSaysWhenItRetries() throws Exception {
        String forward = Net.freeTcpPort() + ":127.0.0.1:" + files.port();
        try (JarProcess stranger = oneLiner(forward, sshPort, dir.resolve("client"), "empty_known_hosts")) {
            assertThat(stranger.awaitExit(LIMIT)).as("exit code, as OpenSSH's").isEqualTo(255);
            assertThat(stranger.output()).contains("host key is not in the known hosts file");
        }
        Path otherKey = dir.resolve("other-client");
        if (!Files.exists(otherKey)) {
            Processes.run(
                    Duration.ofSeconds(30),
                    List.of(Peers.require("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-f", otherKey.toString()));
        }
        try (JarProcess refused = oneLiner(forward, sshPort, otherKey, "known_hosts")) {
            assertThat(refused.awaitExit(LIMIT)).isEqualTo(255);
            assertThat(refused.output()).contains("authentication refused");
        }
        int closed = Net.freeTcpPort();
        try (JarProcess retrying = oneLiner(forward, closed, dir.resolve("client"), "known_hosts")) {
            retrying.awaitOutput("— retrying in ");
            assertThat(retrying.output()).contains("127.0.0.1:" + closed).contains("refused");
            assertThat(retrying.isAlive())
                    .as("a refused connection is retried, not fatal")
                    .isTrue();
        }
    }

    @Test
    void theOneLinerTunnelsAndReconnectsByItself() throws Exception {
        int local = Net.freeTcpPort();
        try (JarProcess tunnel = JarProcess.start(
                dir,
                "ssh",
                "-N",
                "-L",
                local + ":127.0.0.1:" + files.port(),
                "-p",
                String.valueOf(sshPort),
                "-i",
                dir.resolve("client").toString(),
                "-o",
                "UserKnownHostsFile=" + dir.resolve("known_hosts"),
                "-o",
                "ServerAliveInterval=1",
                System.getProperty("user.name") + "@127.0.0.1")) {
            tunnel.awaitOutput("ssh-endpoint \"ssh\": connected");
            assertDownload("http://127.0.0.1:" + local + "/file");
            sshd.descendants().forEach(ProcessHandle::destroyForcibly);
            sshd.destroyForcibly().waitFor();
            tunnel.awaitOutput("connection to");
            startSshd();
            await().atMost(LIMIT).until(() -> tunnel.count("ssh-endpoint \"ssh\": connected") == 2);
            assertDownload("http://127.0.0.1:" + local + "/file");
        }
    }

    @Test
    void targetsThatHangUpWhileDataPoursInLeaveTheSshConnectionUp() throws Exception {
        int local = Net.freeTcpPort();
        // A target that reads a little and hangs up while the client is still sending as fast as it can: OpenSSH
        // closes the channel while portgate is writing into it, and must never see a data packet after the close.
        try (ServerSocket target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TestGateway gw = new TestGateway("ssh-endpoints:\n" + endpoint("vps", "known_hosts") + "forwards:\n"
                        + "  - { name: db, kind: local, listen: 127.0.0.1:" + local + ", via: vps, target: 127.0.0.1:"
                        + target.getLocalPort() + " }\n")) {
            Thread hangUps = new Thread(() -> {
                byte[] some = new byte[64 * 1024];
                while (!target.isClosed()) {
                    try (Socket s = target.accept()) {
                        s.getInputStream().readNBytes(some, 0, some.length);
                        s.getOutputStream().write("bye\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // the next one, or the end of the test
                    }
                }
            });
            hangUps.setDaemon(true);
            hangUps.start();
            await().atMost(LIMIT)
                    .until(() ->
                            gw.gateway().endpoints().status().get(0).state().equals("connected"));
            byte[] chunk = new byte[256 * 1024];
            for (int i = 0; i < 20; i++) {
                try (Socket s = new Socket("127.0.0.1", local)) {
                    s.setSoTimeout(10_000);
                    for (int sent = 0; sent < 64; sent++) { // at most 16 MiB; the hang-up ends it sooner
                        s.getOutputStream().write(chunk);
                    }
                } catch (IOException hungUp) {
                    // expected: the target went away mid-stream
                }
            }
            assertThat(exchange(local))
                    .as("the tunnel still carries a whole exchange")
                    .isEqualTo("bye\n");
            String sshdLog = Files.readString(dir.resolve("sshd.log"));
            assertThat(sshdLog).doesNotContain("nonexistent channel");
            assertThat(sshdLog.lines()
                            .filter(l -> l.contains("Accepted publickey"))
                            .count())
                    .as("one SSH connection carried every attempt")
                    .isEqualTo(1);
            assertThat(gw.gateway().endpoints().status().get(0).state()).isEqualTo("connected");
        }
    }

    /** Sends a little, says it is done, and returns what came back until the far end closed. */
    private static String exchange(int local) throws Exception {
        try (Socket s = new Socket("127.0.0.1", local)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(new byte[1024]);
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
