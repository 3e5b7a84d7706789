package dev.portgate.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.SiteVisits;
import dev.portgate.testing.TestGateway;
import dev.portgate.tunnel.TunnelTokens;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code host:} on a {@code kind: remote} forward: a gateway at home publishes a site by name on a server gateway's
 * shared https port, through a portgate tunnel or through an SSH endpoint to the server's SSH server.
 */
class RemoteSitesIT {

    private static final Duration LIMIT = Duration.ofSeconds(40);

    private final List<HttpServer> backends = new ArrayList<>();
    private final List<TestGateway> homes = new ArrayList<>();
    private Path dir;
    private int https;
    private int tunnelPort;
    private int sshPort;
    private TestGateway server;

    @BeforeEach
    void server() throws Exception {
        dir = Files.createTempDirectory("portgate-remote-sites");
        for (String client : List.of("home", "office", "guest")) {
            String token = TunnelTokens.generate();
            Files.writeString(dir.resolve(client + ".token"), token);
            Files.writeString(dir.resolve(client + ".hash"), TunnelTokens.hash(token));
        }
        Processes.Result k = Processes.run(
                LIMIT,
                List.of(
                        Peers.require("ssh-keygen"),
                        "-q",
                        "-t",
                        "ed25519",
                        "-N",
                        "",
                        "-f",
                        dir.resolve("alice").toString()));
        assertThat(k.exit()).as(k.stderr()).isZero();
        https = Net.freeTcpPort();
        tunnelPort = Net.freeTcpPort();
        sshPort = Net.freeTcpPort();
        String pub = Files.readString(dir.resolve("alice.pub")).strip();
        server = new TestGateway("http-routing:\n  http: 127.0.0.1:" + Net.freeTcpPort() + "\n  https: 127.0.0.1:"
                + https + "\n  domain: tunnels.test\n  redirect: false\n"
                + "tunnel-server:\n  listen: 127.0.0.1:" + tunnelPort + "\n  clients:\n"
                + client("home", "\"*.tunnels.test\"")
                + client("office", "demo.tunnels.test")
                + client("guest", "guest.tunnels.test")
                + "ssh-server:\n  listen: 127.0.0.1:" + sshPort + "\n  users:\n    - name: alice\n"
                + "      authorized-keys: [ \"" + pub + "\" ]\n      permit-hosts: [ web.tunnels.test ]\n");
    }

    private String client(String name, String hosts) {
        return "    - name: " + name + "\n      token-file: " + dir.resolve(name + ".hash") + "\n      permit-hosts: [ "
                + hosts + " ]\n";
    }

    @AfterEach
    void stop() {
        homes.forEach(TestGateway::close);
        server.close();
        backends.forEach(b -> b.stop(0));
    }

    /** A gateway at home with a tunnel endpoint to the server and {@code forwards}. */
    private TestGateway home(String client, String forwards) throws IOException {
        TestGateway gw = new TestGateway("tunnel-endpoints:\n  - name: vps\n    server: 127.0.0.1:" + tunnelPort
                + "\n    token-file: " + dir.resolve(client + ".token") + "\n    server-fingerprint: \"sha256:"
                + server.gateway().tunnelServer().fingerprint() + "\"\nforwards:\n" + forwards);
        homes.add(gw);
        return gw;
    }

    private int backend(String name) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", ex -> {
            String forwardedFor = ex.getRequestHeaders().getFirst("X-Forwarded-For");
            byte[] body = ("backend " + name + " for " + forwardedFor + "\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        backends.add(s);
        return s.getAddress().getPort();
    }

    private Processes.Result get(String name) throws Exception {
        return SiteVisits.get(name, https);
    }

    private List<Forward> sitesOnServer() {
        return server.gateway().rules().forwards().stream()
                .filter(f -> f.kind().equals("http"))
                .toList();
    }

    @Test
    void aTunnelClientsSiteIsServedByNameTwoClientsShareItAndOneLeavingLeavesTheOther() throws Exception {
        TestGateway home = home(
                "home",
                "  - { name: demo, kind: remote, via: vps, host: demo, target: 127.0.0.1:" + backend("home") + " }\n"
                        + "  - { name: shop, kind: remote, via: vps, host: shop.example.net, target: 127.0.0.1:9 }\n");
        await().atMost(LIMIT).until(() -> get("demo.tunnels.test").out().equals("backend home for 127.0.0.1\n"));
        assertThat(sitesOnServer())
                .singleElement()
                .satisfies(f -> assertThat(f.origin().kind()).isEqualTo(Origin.Kind.TUNNEL))
                .satisfies(f -> assertThat(f.toString()).startsWith("demo.tunnels.test"));
        assertThat(home.status("demo").state()).isEqualTo(ForwardStatus.State.LISTENING);
        // A name outside the client's permit-hosts is refused with the reason; the server serves no such site.
        await().atMost(LIMIT).until(() -> home.status("shop").error() != null);
        assertThat(home.status("shop").error())
                .contains("may not serve shop.example.net")
                .contains("permit-hosts");
        assertThat(get("shop.example.net").out()).contains("404");

        // A second client permitted the same name: new requests go round both.
        TestGateway office = home(
                "office",
                "  - { name: demo, kind: remote, via: vps, host: demo.tunnels.test, target: 127.0.0.1:"
                        + backend("office") + " }\n");
        await().atMost(LIMIT).until(() -> sitesOnServer().size() == 2);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            seen.add(get("demo.tunnels.test").out());
        }
        assertThat(seen).containsExactlyInAnyOrder("backend home for 127.0.0.1\n", "backend office for 127.0.0.1\n");

        // The first gateway goes: the other serves every request, and a configured site may not take the name.
        home.close();
        homes.remove(home);
        await().atMost(LIMIT).until(() -> sitesOnServer().size() == 1);
        for (int i = 0; i < 4; i++) {
            assertThat(get("demo.tunnels.test").out()).isEqualTo("backend office for 127.0.0.1\n");
        }
        assertThat(office.status("demo").state()).isEqualTo(ForwardStatus.State.LISTENING);
    }

    @Test
    void aNameAnotherClientHoldsAloneIsRefusedToAClientNotPermittedIt() throws Exception {
        home(
                "guest",
                "  - { name: g, kind: remote, via: vps, host: guest, target: 127.0.0.1:" + backend("guest") + " }\n");
        await().atMost(LIMIT).until(() -> get("guest.tunnels.test").out().equals("backend guest for 127.0.0.1\n"));
        TestGateway office = home(
                "office",
                "  - { name: g, kind: remote, via: vps, host: guest, target: 127.0.0.1:" + backend("x") + " }\n");
        await().atMost(LIMIT).until(() -> office.status("g").error() != null);
        assertThat(office.status("g").error()).contains("may not serve guest.tunnels.test");
        for (int i = 0; i < 3; i++) {
            assertThat(get("guest.tunnels.test").out()).isEqualTo("backend guest for 127.0.0.1\n");
        }
    }

    @Test
    void throughAnSshEndpointTheSiteIsAskedForAsSshDashRDoes() throws Exception {
        Processes.Result scan =
                Processes.run(LIMIT, List.of(Peers.require("ssh-keyscan"), "-p", String.valueOf(sshPort), "127.0.0.1"));
        assertThat(scan.out()).as(scan.stderr()).contains("127.0.0.1");
        Path knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, scan.out());
        TestGateway gw = new TestGateway("ssh-endpoints:\n  - name: vps\n    host: 127.0.0.1\n    port: " + sshPort
                + "\n    user: alice\n    identity: " + dir.resolve("alice") + "\n    known-hosts: " + knownHosts
                + "\nforwards:\n  - { name: web, kind: remote, via: vps, host: web, target: 127.0.0.1:"
                + backend("ssh") + " }\n  - { name: api, kind: remote, via: vps, host: api, target: 127.0.0.1:9 }\n");
        homes.add(gw);
        await().atMost(LIMIT).until(() -> get("web.tunnels.test").out().equals("backend ssh for 127.0.0.1\n"));
        assertThat(sitesOnServer())
                .singleElement()
                .satisfies(f -> assertThat(f.origin().kind()).isEqualTo(Origin.Kind.SSH));
        await().atMost(LIMIT).until(() -> gw.status("api").error() != null);
        assertThat(gw.status("api").error())
                .contains("site api on ssh-endpoint vps")
                .contains("denied by server");
    }
}
