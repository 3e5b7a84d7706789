package dev.portgate.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.SiteVisits;
import dev.portgate.testing.TestGateway;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ssh -R name:80:…} from OpenSSH to portgate's SSH server: sites by name, as sish serves them. */
class SshSitesIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    private final List<HttpServer> backends = new ArrayList<>();
    private final List<Process> clients = new ArrayList<>();
    private Path dir;
    private Path key;
    private int sshPort;
    private int https;
    private TestGateway gw;

    @BeforeEach
    void gateway() throws Exception {
        dir = Files.createTempDirectory("portgate-ssh-sites");
        key = dir.resolve("alice");
        Processes.Result k = Processes.run(
                LIMIT, List.of(Peers.require("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
        assertThat(k.exit()).as(k.stderr()).isZero();
        Peers.require("ssh");
        sshPort = Net.freeTcpPort();
        https = Net.freeTcpPort();
        String pub = Files.readString(dir.resolve("alice.pub")).strip();
        gw = new TestGateway("http-routing:\n  http: 127.0.0.1:" + Net.freeTcpPort() + "\n  https: 127.0.0.1:" + https
                + "\n  domain: tunnels.test\n  redirect: false\nssh-server:\n  listen: 127.0.0.1:" + sshPort
                + "\n  users:\n    - name: alice\n      authorized-keys: [ \"" + pub + "\" ]\n"
                + "      permit-hosts: [ \"*.tunnels.test\" ]\n");
    }

    @AfterEach
    void stop() {
        clients.forEach(Processes::stop);
        gw.close();
        backends.forEach(b -> b.stop(0));
    }

    private int backend(String name) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", ex -> {
            byte[] body = ("backend " + name + "\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        backends.add(s);
        return s.getAddress().getPort();
    }

    private List<String> ssh(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Peers.require("ssh"),
                "-p",
                String.valueOf(sshPort),
                "-i",
                key.toString(),
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
                "ConnectTimeout=10"));
        cmd.addAll(List.of(args));
        cmd.add("alice@127.0.0.1");
        return cmd;
    }

    private Process client(String... args) throws IOException {
        Process p = new ProcessBuilder(ssh(args)).redirectErrorStream(true).start();
        clients.add(p);
        return p;
    }

    private Processes.Result get(String name) throws Exception {
        return SiteVisits.get(name, https);
    }

    @Test
    void aNamedRemoteForwardIsASiteTwoSessionsShareItAndOneDyingLeavesTheOther() throws Exception {
        Process first = client("-N", "-R", "demo:80:127.0.0.1:" + backend("one"));
        await().atMost(LIMIT).until(() -> get("demo.tunnels.test").out().equals("backend one\n"));
        Forward site = gw.gateway().rules().forwards().stream()
                .filter(f -> f.kind().equals("http"))
                .findFirst()
                .orElseThrow();
        assertThat(site.origin().kind()).isEqualTo(Origin.Kind.SSH);
        assertThat(site.toString()).startsWith("demo.tunnels.test");

        client("-N", "-R", "demo:80:127.0.0.1:" + backend("two"));
        await().atMost(LIMIT)
                .until(() -> gw.gateway().rules().forwards().stream()
                                .filter(f -> f.kind().equals("http"))
                                .count()
                        == 2);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            seen.add(get("demo.tunnels.test").out());
        }
        assertThat(seen)
                .as("new connections go round both sessions")
                .containsExactlyInAnyOrder("backend one\n", "backend two\n");

        first.destroyForcibly().waitFor();
        await().atMost(LIMIT)
                .until(() -> gw.gateway().rules().forwards().stream()
                                .filter(f -> f.kind().equals("http"))
                                .count()
                        == 1);
        for (int i = 0; i < 4; i++) {
            assertThat(get("demo.tunnels.test").out()).isEqualTo("backend two\n");
        }
    }

    @Test
    void aNameOutsidePermitHostsIsRefusedAndANamelessOneGetsARandomNameShownInTheSession() throws Exception {
        Processes.Result refused = Processes.run(LIMIT, ssh("-N", "-R", "shop.example.net:80:127.0.0.1:9"));
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.stderr()).contains("remote port forwarding failed");
        assertThat(gw.gateway().rules().forwards()).noneMatch(f -> f.kind().equals("http"));

        // No -N: the session's "shell" prints where the site is, and keeps it up.
        Process p = client("-tt", "-R", "80:127.0.0.1:" + backend("random"));
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Pattern url = Pattern.compile("https://([a-z0-9]+-alice\\.tunnels\\.test):" + https + " -> your");
        String name = CompletableFuture.supplyAsync(() -> {
                    try {
                        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                            Matcher m = url.matcher(line);
                            if (m.find()) {
                                return m.group(1);
                            }
                        }
                        return null;
                    } catch (IOException e) {
                        return null;
                    }
                })
                .get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(name).isNotNull();
        assertThat(get(name).out()).isEqualTo("backend random\n");
        // Ctrl-C ends the session, and its site with it.
        p.getOutputStream().write(3);
        p.getOutputStream().flush();
        assertThat(p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        await().atMost(LIMIT).until(() -> gw.gateway().rules().forwards().stream()
                .noneMatch(f -> f.kind().equals("http")));
        assertThat(get(name).out()).contains("404");
    }
}
