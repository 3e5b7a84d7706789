package dev.portgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portgate.testing.ApiCalls;
import dev.portgate.testing.HttpFiles;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TcpPeers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real jar: `portgate serve` with a config that is edited, signalled and stopped while traffic flows. */
class ServeIT {

    @TempDir
    Path dir;

    private static String config(int webPort, int filesPort, int otherPort, int otherTarget) {
        return "forwards:\n"
                + "  - name: web\n    listen: 127.0.0.1:" + webPort + "\n    target: 127.0.0.1:" + filesPort + "\n"
                + "  - name: other\n    listen: 127.0.0.1:" + otherPort + "\n    target: 127.0.0.1:" + otherTarget
                + "\n";
    }

    private CompletableFuture<Processes.Result> slowDownload(int port) {
        String curl = Peers.require("curl");
        return CompletableFuture.supplyAsync(() -> {
            try {
                // 24 MiB at 6 MiB/s: about four seconds of transfer while the config changes under it.
                return Processes.run(
                        Duration.ofSeconds(60),
                        List.of(
                                curl,
                                "-sS",
                                "--limit-rate",
                                "6M",
                                "--max-time",
                                "50",
                                "http://127.0.0.1:" + port + "/file"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void hotReloadChangesOnlyWhatChangedAndKeepsTransfersIntact() throws Exception {
        try (HttpFiles files = new HttpFiles(InetAddress.getLoopbackAddress(), 24 * 1024 * 1024);
                TcpPeers echoA = TcpPeers.start(TcpPeers::echo);
                TcpPeers echoB = TcpPeers.start(TcpPeers::echo)) {
            int web = Net.freeTcpPort();
            int other = Net.freeTcpPort();
            int otherMoved = Net.freeTcpPort();
            Path cfg = dir.resolve("portgate.yaml");
            Files.writeString(cfg, config(web, files.port(), other, echoA.port()));
            try (JarProcess gw = JarProcess.start(
                    dir,
                    "serve",
                    "--config",
                    cfg.toString(),
                    "--data",
                    dir.resolve("data").toString(),
                    "--log-level",
                    "debug",
                    "--console",
                    "off")) {
                String started = gw.awaitOutput("portgate started: 2 forward(s)");
                assertThat(started)
                        .contains("forward \"web\" listening: tcp 127.0.0.1:" + web + " -> 127.0.0.1:" + files.port());
                assertThat(started)
                        .contains("forward \"other\" listening: tcp 127.0.0.1:" + other + " -> 127.0.0.1:"
                                + echoA.port());

                CompletableFuture<Processes.Result> download = slowDownload(web);
                gw.awaitOutput("-> 127.0.0.1:" + files.port() + " opened");

                // 1. Edit "other" in the file: the watcher applies it; "web" and its transfer are untouched.
                Files.writeString(cfg, config(web, files.port(), otherMoved, echoB.port()));
                gw.awaitOutput(
                        "forward \"other\" listening: tcp 127.0.0.1:" + otherMoved + " -> 127.0.0.1:" + echoB.port());
                try (Socket s = new Socket("127.0.0.1", otherMoved)) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(new String(s.getInputStream().readNBytes(3), StandardCharsets.US_ASCII))
                            .isEqualTo("hi\n");
                }
                assertThat(echoB.accepted()).isEqualTo(1);

                // 2. A config with an error is refused whole, and the running rules stay.
                Files.writeString(
                        cfg,
                        config(web, files.port(), otherMoved, echoB.port()) + "  - name: broken\n    listen: 70000\n");
                gw.awaitOutput("refused whole (2 problems); the running rules stay");
                assertThat(gw.output())
                        .contains("forward \"broken\": listen: port 70000 is out of range — use 1-65535");

                // 3. SIGHUP re-reads the (fixed) file.
                Files.writeString(cfg, config(web, files.port(), otherMoved, echoA.port()));
                gw.signal("HUP");
                gw.awaitOutput("forward \"other\" changed");

                Processes.Result r = download.get(60, TimeUnit.SECONDS);
                assertThat(r.exit()).as(r.stderr()).isZero();
                assertThat(HttpFiles.sha256(r.stdout())).isEqualTo(files.sha256());
                assertThat(gw.count("forward \"web\" listening"))
                        .as("web was never rebound")
                        .isEqualTo(1);
                assertThat(gw.output())
                        .doesNotContain("forward \"web\" changed")
                        .doesNotContain("forward \"web\" stopped");
            }
        }
    }

    @Test
    void sigtermLetsOpenTransfersFinishThenExits() throws Exception {
        try (HttpFiles files = new HttpFiles(InetAddress.getLoopbackAddress(), 12 * 1024 * 1024)) {
            int web = Net.freeTcpPort();
            Path cfg = dir.resolve("portgate.yaml");
            Files.writeString(
                    cfg,
                    "forwards:\n  - name: web\n    listen: 127.0.0.1:" + web + "\n    target: 127.0.0.1:" + files.port()
                            + "\n");
            try (JarProcess gw = JarProcess.start(
                    dir,
                    "serve",
                    "-c",
                    cfg.toString(),
                    "-d",
                    dir.resolve("data").toString(),
                    "--shutdown-grace",
                    "30s",
                    "--log-level",
                    "debug",
                    "--console",
                    "off")) {
                gw.awaitOutput("portgate started");
                CompletableFuture<Processes.Result> download = slowDownload(web);
                gw.awaitOutput("-> 127.0.0.1:" + files.port() + " opened");
                gw.signal("TERM");
                gw.awaitOutput("waiting up to 30 s for 1 open connection(s)");
                try (Socket late = new Socket()) {
                    Assertions.assertThatThrownBy(() -> late.connect(new InetSocketAddress("127.0.0.1", web), 5000))
                            .hasMessageContaining("refused");
                }
                Processes.Result r = download.get(60, TimeUnit.SECONDS);
                assertThat(r.exit()).as(r.stderr()).isZero();
                assertThat(HttpFiles.sha256(r.stdout())).isEqualTo(files.sha256());
                assertThat(gw.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
                assertThat(gw.output()).contains("stopped");
            }
        }
    }

    @Test
    void aSecondGatewayOnTheSameDataFolderIsRefused() throws Exception {
        try (JarProcess first =
                JarProcess.start(dir, "serve", "--data", dir.resolve("data").toString(), "--console", "127.0.0.1:0")) {
            first.awaitOutput("portgate started: 0 forward(s)");
            Processes.Result second =
                    JarProcess.run(dir, "serve", "--data", dir.resolve("data").toString(), "--console", "127.0.0.1:0");
            assertThat(second.exit()).isEqualTo(3);
            assertThat(second.stderr() + second.out()).contains("is in use by another portgate");
        }
    }

    /** Whoever can write the data folder decides where the CLI sends the API token: such a folder is refused. */
    @Test
    void aDataFolderWritableByOthersIsRefusedByTheGatewayAndTheCli() throws Exception {
        Path data = Files.createDirectory(dir.resolve("open-data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
        Processes.Result serve = JarProcess.run(dir, "serve", "--data", data.toString(), "--console", "127.0.0.1:0");
        assertThat(serve.exit()).isEqualTo(3);
        assertThat(serve.stderr() + serve.out())
                .contains("is writable by others")
                .contains("chmod 700 " + data);
        Files.writeString(data.resolve("console-url"), "http://127.0.0.1:9/\n");
        Files.writeString(data.resolve("api-token"), "stolen\n");
        Processes.Result cli = JarProcess.run(dir, "status", "--data", data.toString());
        assertThat(cli.exit()).isNotZero();
        assertThat(cli.stderr() + cli.out()).contains("is writable by others");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        Processes.Result fixed = JarProcess.run(dir, "status", "--data", data.toString());
        assertThat(fixed.stderr() + fixed.out()).doesNotContain("is writable by others");
    }

    /** Out of descriptors, a forward says so once a minute, naming itself and the limit, and counts what it refused. */
    @Test
    void runningOutOfDescriptorsIsOneLineAMinuteNamingTheForwardAndTheLimit() throws Exception {
        int port = Net.freeTcpPort();
        List<Socket> clients = new ArrayList<>();
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo)) {
            Files.writeString(
                    dir.resolve("few-fds.yaml"),
                    "forwards:\n  - { name: web, listen: 127.0.0.1:" + port + ", target: 127.0.0.1:" + echo.port()
                            + " }\n");
            try (JarProcess gw = JarProcess.start(
                    dir,
                    Map.of("PORTGATE_ADMIN_PASSWORD", "correct-horse-battery"),
                    List.of(Peers.require("prlimit"), "--nofile=512:512", "--"),
                    "serve",
                    "--config",
                    "few-fds.yaml",
                    "--data",
                    dir.resolve("few-fds-data").toString(),
                    "--console",
                    "127.0.0.1:0")) {
                gw.awaitOutput("portgate started");
                // Each relayed connection holds two descriptors: 400 connections are more than 512 allow.
                for (int i = 0; i < 400; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    clients.add(s);
                }
                gw.awaitOutput(
                        "forward \"web\": cannot accept connections: too many open files (this process may hold 512;");
                for (Socket s : clients) {
                    s.close();
                }
                ApiCalls api = new ApiCalls(dir.resolve("few-fds-data"));
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                    try {
                        return api.get("/metrics")
                                .body()
                                .lines()
                                .anyMatch(l -> l.startsWith("portgate_forward_refused_total")
                                        && l.contains("reason=\"accept\"")
                                        && !l.endsWith(" 0.0"));
                    } catch (IOException e) {
                        return false; // still short of descriptors
                    }
                });
                assertThat(gw.count("too many open files"))
                        .as("one line a minute")
                        .isEqualTo(1);
                assertThat(gw.output()).doesNotContain("reached at the tail of the pipeline");
            }
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
    }
}
