package dev.portgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portgate.testing.ApiCalls;
import dev.portgate.testing.Echo;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Net;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TcpPeers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every client subcommand of the real jar against a running gateway, in text and --json. */
class CliIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static JarProcess gateway;
    static TcpPeers echo;

    @BeforeAll
    static void start() throws Exception {
        echo = TcpPeers.start(TcpPeers::echo);
        gateway = JarProcess.start(
                dir,
                Map.of("PORTGATE_ADMIN_PASSWORD", "correct-horse-battery"),
                "serve",
                "--data",
                dir.resolve("data").toString(),
                "--console",
                "127.0.0.1:0");
        gateway.awaitOutput("portgate started");
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        echo.close();
    }

    private static Processes.Result cli(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--data");
        all.add(dir.resolve("data").toString());
        return JarProcess.run(dir, all.toArray(String[]::new));
    }

    @Test
    void protectionFlagsAndTheSecurityAudit() throws Exception {
        int port = Net.freeTcpPort();
        Processes.Result add = cli(
                "forward",
                "add",
                "guarded",
                "--listen",
                "127.0.0.1:" + port,
                "--target",
                "127.0.0.1:" + echo.port(),
                "--access",
                "login",
                "--open-for",
                "5m",
                "--rate-limit",
                "5/s",
                "--bandwidth",
                "10Mbit");
        assertThat(add.exit()).as(add.stderr()).isZero();
        JsonNode shown =
                JSON.readTree(cli("forward", "show", "guarded", "--json").out());
        assertThat(shown.get("access").asText()).isEqualTo("login");
        assertThat(shown.get("rate-limit").asText()).isEqualTo("5/s");
        assertThat(shown.get("bandwidth").asText()).isEqualTo("10Mbit");
        Processes.Result bad = cli(
                "forward",
                "add",
                "broken",
                "--listen",
                "127.0.0.1:" + Net.freeTcpPort(),
                "--target",
                "127.0.0.1:9",
                "--access",
                "knock");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.stderr()).contains("access: knock needs knock-key: FILE");

        Processes.Result audit = cli("audit");
        assertThat(audit.exit()).as(audit.stderr()).isZero();
        assertThat(audit.out())
                .containsPattern("guarded\\s+127\\.0\\.0\\.1:" + port
                        + "\\s+listening\\s+this machine only\\s+login \\(guarded\\)");
        assertThat(audit.out()).contains("banned: nobody");
        JsonNode report = JSON.readTree(cli("audit", "--json").out());
        assertThat(report.get("report").get("warnings").asInt()).isZero();
        assertThat(cli("forward", "rm", "guarded").exit()).isZero();
    }

    @Test
    void forwardLifecycleThroughTheCli() throws Exception {
        int port = Net.freeTcpPort();
        Processes.Result add = cli(
                "forward",
                "add",
                "cli-echo",
                "--listen",
                "127.0.0.1:" + port,
                "--target",
                "127.0.0.1:" + echo.port(),
                "--allow",
                "127.0.0.0/8",
                "--description",
                "made by the CLI");
        assertThat(add.exit()).as(add.stderr()).isZero();
        assertThat(add.out())
                .contains("added forward \"cli-echo\": tcp 127.0.0.1:" + port + " -> 127.0.0.1:" + echo.port()
                        + " (listening)");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(s.getInputStream().readNBytes(3)).isEqualTo("hi\n".getBytes(StandardCharsets.US_ASCII));

            Processes.Result conns = cli("connections");
            assertThat(conns.exit()).isZero();
            assertThat(conns.out())
                    .contains("cli-echo")
                    .contains("127.0.0.1:" + echo.port())
                    .contains("3 B");
            JsonNode connJson = JSON.readTree(
                    cli("connections", "--json", "--forward", "cli-echo").out());
            assertThat(connJson).hasSize(1);
            long id = connJson.get(0).get("id").asLong();
            assertThat(cli("connections", "--close", String.valueOf(id)).out()).contains("closed connection " + id);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }

        Processes.Result list = cli("forward", "list");
        assertThat(list.out())
                .containsPattern("cli-echo\\s+tcp\\s+127\\.0\\.0\\.1:" + port + "\\s+127\\.0\\.0\\.1:" + echo.port()
                        + "\\s+listening\\s+relay \\(listens on loopback only[^)]*\\)\\s+0\\s+3 B\\s+3 B\\s+api");
        JsonNode listJson = JSON.readTree(cli("forward", "list", "--json").out());
        assertThat(listJson.findValuesAsText("name")).contains("cli-echo");

        Processes.Result edit = cli("forward", "edit", "cli-echo", "--max-connections", "7", "--idle-timeout", "5m");
        assertThat(edit.exit()).as(edit.stderr()).isZero();
        JsonNode shown =
                JSON.readTree(cli("forward", "show", "cli-echo", "--json").out());
        assertThat(shown.get("max-connections").asInt()).isEqualTo(7);
        assertThat(shown.get("idle-timeout").asText()).isEqualTo("5m");
        assertThat(shown.get("allow").get(0).asText()).isEqualTo("127.0.0.0/8");
        assertThat(cli("forward", "show", "cli-echo").out()).containsPattern("description\\s+made by the CLI");

        assertThat(cli("forward", "disable", "cli-echo").out()).contains("disabled forward \"cli-echo\" (disabled)");
        assertThat(cli("forward", "enable", "cli-echo").out()).contains("enabled forward \"cli-echo\" (listening)");
        Processes.Result status = cli("status");
        assertThat(status.exit()).isZero();
        assertThat(status.out())
                .contains("portgate is running")
                .contains("forwards: 1 (1 listening, 0 failed, 0 disabled)");
        assertThat(JSON.readTree(cli("status", "--json").out()).get("forwards").asInt())
                .isEqualTo(1);
        assertThat(cli("forward", "rm", "cli-echo").out()).contains("deleted forward \"cli-echo\"");
        assertThat(cli("forward", "list", "--json").out().strip()).isEqualTo("[ ]");
    }

    @Test
    void sshStyleShorthandPresetsJsonErrorsAndAPortAnotherProgramHolds() throws Exception {
        int port = Net.freeTcpPort();
        Processes.Result shorthand =
                cli("forward", "add", "short", "-L", "127.0.0.1:" + port + ":127.0.0.1:" + echo.port());
        assertThat(shorthand.exit()).as(shorthand.stderr()).isZero();
        assertThat(shorthand.out()).contains("tcp 127.0.0.1:" + port + " -> 127.0.0.1:" + echo.port() + " (listening)");
        assertThat(Echo.getsThrough("127.0.0.1", port)).isTrue();

        Processes.Result confused = cli("forward", "add", "x2", "--listen", "18091:127.0.0.1:80");
        assertThat(confused.exit()).isEqualTo(2);
        assertThat(confused.stderr()).contains("looks like ssh's -L form: write -L 18091:127.0.0.1:80");

        Processes.Result badName = cli(
                "forward",
                "add",
                "bad name",
                "--listen",
                "127.0.0.1:" + Net.freeTcpPort(),
                "--target",
                "127.0.0.1:80",
                "--json");
        assertThat(badName.exit()).isEqualTo(1);
        JsonNode error = new ObjectMapper().readTree(badName.out());
        assertThat(error.path("error").asText()).isEqualTo("the forward is not valid");
        assertThat(error.path("problems").get(0).path("forward").asText()).isEqualTo("bad name");

        Processes.Result removed = cli("forward", "rm", "short", "--json");
        assertThat(new ObjectMapper().readTree(removed.out()).path("deleted").asText())
                .isEqualTo("short");

        int mc = Net.freeTcpPort();
        Processes.Result preset = cli(
                "forward",
                "add",
                "mc",
                "--preset",
                "minecraft-java",
                "--to",
                "127.0.0.1",
                "--listen",
                "127.0.0.1:" + mc);
        assertThat(preset.exit()).as(preset.stderr()).isZero();
        assertThat(preset.out()).contains("tcp 127.0.0.1:" + mc + " -> 127.0.0.1:25565");
        assertThat(cli("forward", "presets").out())
                .contains("minecraft-bedrock")
                .contains("udp 19132-19133");

        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Processes.Result inUse = cli(
                    "forward",
                    "add",
                    "held",
                    "--listen",
                    "127.0.0.1:" + held.getLocalPort(),
                    "--target",
                    "127.0.0.1:80");
            assertThat(inUse.exit())
                    .as("saved, but not listening: not a success")
                    .isEqualTo(3);
            assertThat(inUse.out()).contains("failed: cannot listen on tcp 127.0.0.1:" + held.getLocalPort());
        }
        cli("forward", "rm", "held");
        cli("forward", "rm", "mc");
    }

    @Test
    void aLostAdminPasswordIsResetWhileTheGatewayIsStopped() throws Exception {
        Path data = dir.resolve("reset-data");
        Map<String, String> first = Map.of("PORTGATE_ADMIN_PASSWORD", "first-password-1");
        JarProcess gw = JarProcess.start(dir, first, "serve", "--data", data.toString(), "--console", "127.0.0.1:0");
        gw.awaitOutput("portgate started");
        Processes.Result whileRunning = JarProcess.run(dir, "admin", "reset-password", "--data", data.toString());
        assertThat(whileRunning.exit()).isEqualTo(3);
        assertThat(whileRunning.stderr()).contains("the gateway is running: stop it first");
        gw.close();

        Path file = dir.resolve("new-password");
        Files.writeString(file, "second-password-2\n");
        Processes.Result reset = JarProcess.run(
                dir, "admin", "reset-password", "--data", data.toString(), "--password-file", file.toString());
        assertThat(reset.exit()).as(reset.stderr()).isZero();
        assertThat(reset.out()).contains("the console's admin password was set from");

        gw = JarProcess.start(
                dir,
                Map.of("PORTGATE_ADMIN_PASSWORD", "third-password-3"),
                "serve",
                "--data",
                data.toString(),
                "--console",
                "127.0.0.1:0");
        try {
            gw.awaitOutput("portgate started");
            assertThat(gw.output()).contains("PORTGATE_ADMIN_PASSWORD is set but the admin exists already");
            ApiCalls api = new ApiCalls(data);
            assertThat(api.call(
                                    "POST",
                                    "/api/v1/session",
                                    "application/json",
                                    "{\"user\":\"admin\",\"password\":\"second-password-2\"}",
                                    null)
                            .status())
                    .isEqualTo(200);
            assertThat(api.call(
                                    "POST",
                                    "/api/v1/session",
                                    "application/json",
                                    "{\"user\":\"admin\",\"password\":\"third-password-3\"}",
                                    null)
                            .status())
                    .isEqualTo(401);
            assertThat(api.get("/api/v1/audit").body()).contains("admin.reset-password");
        } finally {
            gw.close();
        }
    }

    @Test
    void errorsSayWhatIsWrongAndExitNonZero() throws Exception {
        Processes.Result bad = cli("forward", "add", "bad", "--listen", "70000", "--target", "nohost");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.stderr())
                .contains("forward \"bad\": listen: port 70000 is out of range — use 1-65535")
                .contains("forward \"bad\": target: \"nohost\" has no host");
        Processes.Result missing = cli("forward", "show", "ghost");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.stderr()).contains("there is no forward named \"ghost\"");
        Processes.Result usage = cli("forward", "add", "x");
        assertThat(usage.exit()).isEqualTo(2);
        Processes.Result nowhere = JarProcess.run(
                dir, "status", "--data", dir.resolve("nothing-here").toString());
        assertThat(nowhere.exit()).isEqualTo(4);
        assertThat(nowhere.stderr()).contains("no console URL in");
        Processes.Result down = JarProcess.run(
                dir,
                "status",
                "--data",
                dir.resolve("data").toString(),
                "--api",
                "http://127.0.0.1:" + Net.freeTcpPort());
        assertThat(down.exit()).isEqualTo(4);
        assertThat(down.stderr()).contains("cannot reach the gateway");
    }
}
