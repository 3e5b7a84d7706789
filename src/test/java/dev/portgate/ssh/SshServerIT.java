package dev.portgate.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.policy.PasswordHash;
import dev.portgate.testing.HttpFiles;
import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TcpPeers;
import dev.portgate.testing.TestGateway;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenSSH's own client against portgate's SSH server: -L, -R (fixed and port 0), -D, refusals, no shell. */
class SshServerIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final String BOBS_PASSWORD = "correct horse battery";

    @TempDir
    static Path dir;

    static HttpFiles files;
    static TcpPeers sink;
    static TestGateway gw;
    static int sshPort;
    static int rangeStart;
    static Path key;
    static Path wrongKey;
    static String serverYaml;
    private final List<Process> tunnels = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        String keygen = Peers.require("ssh-keygen");
        Peers.require("ssh");
        key = dir.resolve("alice");
        wrongKey = dir.resolve("mallory");
        for (Path k : List.of(key, wrongKey)) {
            Processes.Result r =
                    Processes.run(LIMIT, List.of(keygen, "-q", "-t", "ed25519", "-N", "", "-f", k.toString()));
            assertThat(r.exit()).as(r.stderr()).isZero();
        }
        files = new HttpFiles(InetAddress.getLoopbackAddress(), 3 * 1024 * 1024);
        sink = TcpPeers.start(SshServerIT::answerTheDigest);
        sshPort = Net.freeTcpPort();
        rangeStart = Net.freeTcpRange(3);
        String pub = Files.readString(dir.resolve("alice.pub")).strip();
        serverYaml = "ssh-server:\n  listen: 127.0.0.1:" + sshPort + "\n  users:\n"
                + "    - name: alice\n      authorized-keys: [ \"" + pub + "\" ]\n"
                + "      permit-listen: [ \"127.0.0.1:" + rangeStart + "-" + (rangeStart + 2) + "\" ]\n"
                + "      permit-open: [ \"127.0.0.1:" + files.port() + "\", \"localhost:" + files.port()
                + "\", \"127.0.0.1:" + sink.port() + "\" ]\n"
                + "    - name: bob\n      password-hash: \"" + PasswordHash.hash(BOBS_PASSWORD.toCharArray()) + "\"\n"
                + "      permit-open: [ \"127.0.0.1:" + files.port() + "\" ]\n";
        gw = new TestGateway(serverYaml);
        assertThat(gw.gateway().sshPort()).isEqualTo(sshPort);
    }

    @AfterAll
    static void stop() throws IOException {
        gw.close();
        files.close();
        sink.close();
    }

    @AfterEach
    void closeTunnels() {
        tunnels.forEach(Process::destroyForcibly);
    }

    private static List<String> ssh(Path identity, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Peers.require("ssh"),
                "-p",
                String.valueOf(sshPort),
                "-i",
                identity.toString(),
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "BatchMode=yes",
                "-o",
                "ExitOnForwardFailure=yes",
                "-o",
                "ConnectTimeout=10",
                // New keys every 256 KiB: every transfer crosses key exchanges, as a long-lived tunnel does every GiB.
                "-o",
                "RekeyLimit=256K"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts an `ssh -N …` tunnel; its stderr goes to a file the test can read. */
    private Path tunnel(String... args) throws Exception {
        Path err = Files.createTempFile(dir, "ssh", ".err");
        List<String> cmd = ssh(key, "-N");
        cmd.addAll(List.of(args));
        cmd.add("alice@127.0.0.1");
        tunnels.add(new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(err.toFile())
                .start());
        return err;
    }

    private static Processes.Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("curl"), "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        return Processes.run(LIMIT, cmd);
    }

    private static void assertDownload(String... curlArgs) throws Exception {
        await().atMost(LIMIT).ignoreExceptions().until(() -> curl(curlArgs).exit() == 0);
        Processes.Result r = curl(curlArgs);
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(HttpFiles.sha256(r.stdout())).isEqualTo(files.sha256());
    }

    @Test
    void sshKeyscanOfEveryKeyTypeAtOnceGetsTheHostKey() throws Exception {
        // ssh-keyscan opens one connection per key type at the same time: all of them must be accepted at once
        // (with a listen backlog of one the others waited a second or more for SYN retries, and keyscan gave up).
        Processes.Result r = Processes.run(
                LIMIT, List.of(Peers.require("ssh-keyscan"), "-T", "2", "-p", String.valueOf(sshPort), "127.0.0.1"));
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(new String(r.stdout(), StandardCharsets.UTF_8))
                .contains("[127.0.0.1]:" + sshPort + " ecdsa-sha2-nistp256 AAAA");
    }

    @Test
    void localForwardCarriesAFileIntact() throws Exception {
        int l = Net.freeTcpPort();
        tunnel("-L", "127.0.0.1:" + l + ":127.0.0.1:" + files.port());
        assertDownload("http://127.0.0.1:" + l + "/file");
    }

    /** {@code ssh} as bob, typing {@code password} (OpenSSH asks SSH_ASKPASS when told to, with no terminal). */
    private Process passwordTunnel(String password, Path err, String... args) throws Exception {
        Path askpass = dir.resolve("askpass-" + Integer.toHexString(password.hashCode()));
        Files.writeString(askpass, "#!/bin/sh\necho '" + password + "'\n");
        askpass.toFile().setExecutable(true);
        List<String> cmd = new ArrayList<>(List.of(
                Peers.require("ssh"),
                "-p",
                String.valueOf(sshPort),
                "-N",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "PubkeyAuthentication=no",
                "-o",
                "PreferredAuthentications=password",
                "-o",
                "NumberOfPasswordPrompts=1",
                "-o",
                "ExitOnForwardFailure=yes"));
        cmd.addAll(List.of(args));
        cmd.add("bob@127.0.0.1");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("SSH_ASKPASS", askpass.toString());
        pb.environment().put("SSH_ASKPASS_REQUIRE", "force");
        pb.environment().put("DISPLAY", "none");
        Process p = pb.start();
        tunnels.add(p);
        return p;
    }

    /** Reads everything the client sends, then answers the SHA-256 of it in hex and closes. */
    private static void answerTheDigest(Socket s, TcpPeers self) {
        try (s) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            s.getInputStream().transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), sha));
            s.getOutputStream().write(HexFormat.of().formatHex(sha.digest()).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException | NoSuchAlgorithmException ignored) {
            // the client went away
        }
    }

    @Test
    void anUploadGetsItsWindowBackAQuarterWindowAtATime() throws Exception {
        // Every window adjust is a packet the client must read and open; MINA's rule sends one about every fourth
        // 32 KiB packet. OpenSSH's client logs each one it receives (debug2: "channel N: rcvd adjust BYTES").
        int l = Net.freeTcpPort();
        Path err = tunnel("-vv", "-L", "127.0.0.1:" + l + ":127.0.0.1:" + sink.port());
        byte[] upload = new byte[16 * 1024 * 1024];
        new Random(5).nextBytes(upload);
        String answer = await().atMost(LIMIT)
                .ignoreExceptions()
                .until(
                        () -> {
                            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), l)) {
                                c.getOutputStream().write(upload);
                                c.shutdownOutput();
                                return new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                            }
                        },
                        a -> !a.isEmpty());
        assertThat(answer)
                .isEqualTo(HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(upload)));

        List<Long> adjusts = Pattern.compile("rcvd adjust (\\d+)")
                .matcher(Files.readString(err))
                .results()
                .map(m -> Long.parseLong(m.group(1)))
                .toList();
        // 16 MiB through a 2 MiB window: at least six adjusts, each a quarter window (512 KiB) or more.
        assertThat(adjusts).hasSizeGreaterThanOrEqualTo(6).allSatisfy(a -> assertThat(a)
                .isGreaterThanOrEqualTo(512 * 1024));
    }

    @Test
    void aPasswordUserTunnelsWithTheRightPasswordOnly() throws Exception {
        // The right one first: a success clears this address's failures, which the other tests' refusals add to.
        int l = Net.freeTcpPort();
        passwordTunnel(
                BOBS_PASSWORD,
                Files.createTempFile(dir, "ssh", ".err"),
                "-L",
                "127.0.0.1:" + l + ":127.0.0.1:" + files.port());
        assertDownload("http://127.0.0.1:" + l + "/file");

        Path wrongErr = Files.createTempFile(dir, "ssh", ".err");
        Process wrong = passwordTunnel(
                "not bob's", wrongErr, "-L", "127.0.0.1:" + Net.freeTcpPort() + ":127.0.0.1:" + files.port());
        assertThat(wrong.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(wrong.exitValue()).isNotZero();
        assertThat(Files.readString(wrongErr)).contains("Permission denied");
    }

    @Test
    void everyCipherOpenSshAndPortgateShareCarriesAFileIntact() throws Exception {
        for (String cipher : List.of(
                "chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes128-ctr")) {
            int l = Net.freeTcpPort();
            tunnel("-c", cipher, "-L", "127.0.0.1:" + l + ":127.0.0.1:" + files.port());
            assertDownload("http://127.0.0.1:" + l + "/file");
        }
    }

    @Test
    void aLocalForwardsConnectionsAreListedUnderTheUserAndCounted() throws Exception {
        int l = Net.freeTcpPort();
        tunnel("-L", "127.0.0.1:" + l + ":127.0.0.1:" + files.port());
        var side = gw.gateway().sideConnections();
        long before = side.stats().snapshot().bytesOut();
        assertDownload("http://127.0.0.1:" + l + "/file");
        assertThat(side.stats().snapshot().bytesOut() - before)
                .as("bytes from the target, counted")
                .isGreaterThanOrEqualTo(3L * 1024 * 1024);
        // A connection held open shows while it lasts, as alice's, with where it goes.
        try (Socket held = new Socket("127.0.0.1", l)) {
            await().atMost(LIMIT).until(() -> side.connections().stream()
                    .anyMatch(c -> c.forward().equals("ssh-alice") && c.target().equals("127.0.0.1:" + files.port())));
        }
        await().atMost(LIMIT).until(() -> side.connections().isEmpty());
    }

    @Test
    void dynamicForwardWithRemoteNameResolution() throws Exception {
        int d = Net.freeTcpPort();
        tunnel("-D", "127.0.0.1:" + d);
        assertDownload("--socks5-hostname", "127.0.0.1:" + d, "http://localhost:" + files.port() + "/file");
    }

    @Test
    void remoteForwardOnAFixedPortAndOnPortZero() throws Exception {
        tunnel("-R", "127.0.0.1:" + rangeStart + ":127.0.0.1:" + files.port());
        assertDownload("http://127.0.0.1:" + rangeStart + "/file");
        // The -R port is a forward like any other: it shows (origin ssh), counts, and goes with the session.
        String name = "ssh-alice-" + rangeStart;
        Forward f = gw.gateway().rules().get(name).orElseThrow();
        assertThat(f.kind()).isEqualTo("ssh-remote");
        assertThat(f.origin().kind()).isEqualTo(Origin.Kind.SSH);
        assertThat(f.origin().owner()).startsWith("alice@127.0.0.1");
        assertThat(gw.stats(name).bytesOut()).isGreaterThan(3L * 1024 * 1024);
        tunnels.get(0).destroyForcibly().waitFor();
        await().atMost(LIMIT).until(() -> gw.gateway().rules().get(name).isEmpty());
        tunnel("-R", "127.0.0.1:" + rangeStart + ":127.0.0.1:" + files.port());
        assertDownload("http://127.0.0.1:" + rangeStart + "/file");

        Path err = tunnel("-R", "127.0.0.1:0:127.0.0.1:" + files.port());
        Pattern allocated = Pattern.compile("Allocated port (\\d+) for remote forward");
        await().atMost(LIMIT)
                .until(() -> allocated.matcher(Files.readString(err)).find());
        Matcher m = allocated.matcher(Files.readString(err));
        assertThat(m.find()).isTrue();
        int port = Integer.parseInt(m.group(1));
        assertThat(port).as("a port from alice's permit-listen range").isBetween(rangeStart + 1, rangeStart + 2);
        assertDownload("http://127.0.0.1:" + port + "/file");
    }

    @Test
    void aRemoteForwardThatClashesWithAForwardIsRefused() throws Exception {
        int taken = rangeStart + 2;
        gw.apply(serverYaml + "forwards:\n  - { name: mine, listen: 127.0.0.1:" + taken + ", target: 127.0.0.1:"
                + files.port() + " }\n");
        try {
            Processes.Result r =
                    Processes.run(LIMIT, withUser(ssh(key, "-N", "-R", "127.0.0.1:" + taken + ":127.0.0.1:80")));
            assertThat(r.exit()).isNotZero();
            assertThat(r.stderr()).contains("remote port forwarding failed");
            assertDownload("http://127.0.0.1:" + taken + "/file");
        } finally {
            gw.apply(serverYaml);
        }
    }

    @Test
    void requestsOutsidePolicyWrongKeysAndShellsAreRefused() throws Exception {
        // -R outside permit-listen: the client is told, and gives up (ExitOnForwardFailure).
        int outside = Net.freeTcpPort();
        Processes.Result r =
                Processes.run(LIMIT, withUser(ssh(key, "-N", "-R", "127.0.0.1:" + outside + ":127.0.0.1:80")));
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).contains("remote port forwarding failed");

        // -L to a destination outside permit-open: the channel is refused, nothing reaches it.
        int l = Net.freeTcpPort();
        Path err = tunnel("-L", "127.0.0.1:" + l + ":127.0.0.1:" + Net.freeTcpPort());
        await().atMost(LIMIT).ignoreExceptions().until(() -> {
            Processes.Result c = curl("http://127.0.0.1:" + l + "/");
            return c.exit() != 0 && c.exit() != 7 && Files.readString(err).contains("administratively prohibited");
        });

        Processes.Result wrong = Processes.run(
                LIMIT, withUser(ssh(wrongKey, "-N", "-L", "127.0.0.1:" + Net.freeTcpPort() + ":127.0.0.1:80")));
        assertThat(wrong.exit()).isEqualTo(255);
        assertThat(wrong.stderr()).contains("Permission denied");

        Processes.Result shell = Processes.run(LIMIT, withUser(ssh(key, "ls", "/")));
        assertThat(shell.exit()).isNotZero();
        assertThat(shell.out()).doesNotContain("etc");
    }

    private static List<String> withUser(List<String> cmd) {
        List<String> out = new ArrayList<>(cmd);
        int insertAt = out.contains("ls") ? out.indexOf("ls") : out.size();
        out.add(insertAt, "alice@127.0.0.1");
        return out;
    }

    /** MINA's SSH client with alice's key, for requests OpenSSH's client never makes. */
    private static SshClient minaClient() {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.setKeyIdentityProvider(new FileKeyPairProvider(key));
        client.start();
        return client;
    }

    private static ClientSession aliceSession(SshClient client) throws Exception {
        ClientSession s =
                client.connect("alice", "127.0.0.1", sshPort).verify(LIMIT).getSession();
        s.auth().verify(LIMIT);
        return s;
    }

    /** A global request {@code name} wanting a reply, with the raw payload {@code fill} writes. */
    private static Buffer globalRequestPacket(ClientSession s, String name, Consumer<Buffer> fill) {
        Buffer b = s.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST);
        b.putString(name);
        b.putBoolean(true);
        fill.accept(b);
        return b;
    }

    /** Sends a global request with the raw payload {@code fill} writes; true if the server answered success. */
    private static boolean globalRequest(ClientSession s, String name, Consumer<Buffer> fill) throws Exception {
        return s.request(name, globalRequestPacket(s, name, fill), LIMIT.toMillis(), TimeUnit.MILLISECONDS) != null;
    }

    @Test
    void malformedForwardingRequestsGetAFailureAndTheSessionGoesOn() throws Exception {
        int l = Net.freeTcpPort();
        tunnel("-L", "127.0.0.1:" + l + ":127.0.0.1:" + files.port());
        SshClient client = minaClient();
        try (ClientSession s = aliceSession(client)) {
            assertThat(globalRequest(s, "tcpip-forward", b -> {}))
                    .as("no address, no port")
                    .isFalse();
            assertThat(globalRequest(s, "tcpip-forward", b -> {
                        b.putString("127.0.0.1");
                        b.putUInt(70000);
                    }))
                    .as("port 70000")
                    .isFalse();
            assertThat(globalRequest(s, "tcpip-forward", b -> {
                        b.putString("999.1.1.1");
                        b.putUInt(rangeStart);
                    }))
                    .as("a bind address that is no address")
                    .isFalse();
            assertThat(globalRequest(s, "tcpip-forward", b -> {
                        b.putString("127.0.0.1");
                        b.putUInt(1);
                    }))
                    .as("outside permit-listen")
                    .isFalse();
            assertThat(globalRequest(s, "cancel-tcpip-forward", b -> {
                        b.putString("127.0.0.1");
                        b.putUInt(rangeStart + 2);
                    }))
                    .as("cancelling what was never asked")
                    .isFalse();
            assertThat(globalRequest(s, "nonsense@portgate.dev", b -> b.putString("x")))
                    .as("an unknown request")
                    .isFalse();
            assertThat(s.isOpen()).as("the session survives all of it").isTrue();
            // A proper request on the same session still works.
            assertThat(globalRequest(s, "tcpip-forward", b -> {
                        b.putString("127.0.0.1");
                        b.putUInt(rangeStart + 1);
                    }))
                    .isTrue();
            await().atMost(LIMIT).until(() -> gw.gateway().rules().forwards().stream()
                    .anyMatch(f -> f.listen().ports().first() == rangeStart + 1));
        } finally {
            client.stop();
        }
        assertDownload("http://127.0.0.1:" + l + "/file");
    }

    @Test
    void globalRequestsAreAnsweredInTheOrderTheyCameThoughAForwardIsAnsweredLater() throws Exception {
        SshClient client = minaClient();
        try (ClientSession s = aliceSession(client)) {
            // SSH replies carry no request id: a client takes them in order. Sent back to back, without waiting: a
            // forward on port 0 (answered after a store write and a bind), a keepalive and a forward outside
            // permit-listen (both answered at once), a malformed one, then another port-0 forward.
            List<String> replies = Collections.synchronizedList(new ArrayList<>());
            sendWithoutWaiting(
                    s,
                    "tcpip-forward",
                    b -> {
                        b.putString("127.0.0.1");
                        b.putUInt(0);
                    },
                    "first",
                    replies);
            sendWithoutWaiting(s, "keepalive@openssh.com", b -> {}, "keepalive", replies);
            sendWithoutWaiting(
                    s,
                    "tcpip-forward",
                    b -> {
                        b.putString("127.0.0.1");
                        b.putUInt(1);
                    },
                    "outside",
                    replies);
            sendWithoutWaiting(s, "tcpip-forward", b -> b.putString("127.0.0.1"), "malformed", replies);
            sendWithoutWaiting(
                    s,
                    "tcpip-forward",
                    b -> {
                        b.putString("127.0.0.1");
                        b.putUInt(0);
                    },
                    "second",
                    replies);
            await().atMost(LIMIT).until(() -> replies.size() == 5);
            assertThat(replies).hasSize(5);
            assertThat(replies.get(0)).startsWith("first:success:port ");
            assertThat(replies.subList(1, 4))
                    .containsExactly("keepalive:success", "outside:failure", "malformed:failure");
            assertThat(replies.get(4)).startsWith("second:success:port ");
            int first = Integer.parseInt(replies.get(0).substring("first:success:port ".length()));
            int second = Integer.parseInt(replies.get(4).substring("second:success:port ".length()));
            assertThat(List.of(first, second))
                    .as("two ports of alice's range")
                    .allMatch(p -> p >= rangeStart && p <= rangeStart + 2)
                    .doesNotHaveDuplicates();
            assertThat(gw.gateway().rules().get("ssh-alice-" + first)).isPresent();
            assertThat(gw.gateway().rules().get("ssh-alice-" + second)).isPresent();
        } finally {
            client.stop();
        }
        await().atMost(LIMIT).until(() -> gw.gateway().rules().forwards().stream()
                .noneMatch(f -> f.name().startsWith("ssh-alice-")));
    }

    /** Sends a global request and goes on; its reply, when it comes, is added to {@code replies} under {@code label}. */
    private static void sendWithoutWaiting(
            ClientSession s, String name, Consumer<Buffer> fill, String label, List<String> replies) throws Exception {
        s.request(
                globalRequestPacket(s, name, fill),
                name,
                (cmd, reply) -> replies.add(label
                        + (cmd == SshConstants.SSH_MSG_REQUEST_SUCCESS
                                ? ":success" + (reply.available() >= 4 ? ":port " + reply.getUInt() : "")
                                : ":failure")));
    }

    @Test
    void aFloodOfChannelOpensAndAbruptDisconnectsLeaveOtherTunnelsAlone() throws Exception {
        int l = Net.freeTcpPort();
        tunnel("-L", "127.0.0.1:" + l + ":127.0.0.1:" + files.port());
        assertDownload("http://127.0.0.1:" + l + "/file");
        SshClient client = minaClient();
        try (ClientSession s = aliceSession(client)) {
            int refused = 0;
            // Bounded: 1,000 opens to a destination outside permit-open, each refused by the policy.
            for (int i = 0; i < 1000; i++) {
                ChannelDirectTcpip ch = s.createDirectTcpipChannel(
                        new SshdSocketAddress("127.0.0.1", 1), new SshdSocketAddress("127.0.0.1", 9));
                OpenFuture opened = ch.open();
                if (!opened.await(LIMIT)) {
                    throw new AssertionError("channel open " + i + " got no answer");
                }
                if (!opened.isOpened()) {
                    refused++;
                }
                ch.close(true);
            }
            assertThat(refused).isEqualTo(1000);
            // And 200 permitted channels opened and dropped without a byte.
            for (int i = 0; i < 200; i++) {
                ChannelDirectTcpip ch = s.createDirectTcpipChannel(
                        new SshdSocketAddress("127.0.0.1", 1), new SshdSocketAddress("127.0.0.1", files.port()));
                ch.open().await(LIMIT);
                ch.close(true);
            }
        } finally {
            client.stop();
        }
        // A client that vanishes mid-download does not disturb the tunnel next to it.
        Process abrupt = new ProcessBuilder(
                        Peers.require("curl"),
                        "-sS",
                        "--limit-rate",
                        "100K",
                        "-o",
                        "/dev/null",
                        "http://127.0.0.1:" + l + "/file")
                .start();
        await().atMost(LIMIT).until(() -> abrupt.isAlive());
        abrupt.destroyForcibly().waitFor();
        assertDownload("http://127.0.0.1:" + l + "/file");
    }
}
