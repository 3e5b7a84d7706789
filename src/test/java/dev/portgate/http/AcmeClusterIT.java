package dev.portgate.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.testing.HelloSite;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Net;
import dev.portgate.testing.Pebble;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Postgres;
import dev.portgate.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL and a site with a certificate from Pebble. The site runs on node 1 alone and node 1
 * orders its certificate, but the name leads the CA to node 2: node 2 answers http-01 for the account the nodes
 * share, and tls-alpn-01 with the check node 1 put in the store. When the site is moved onto both nodes, node 2
 * serves the same certificate from the store; the CA issued one.
 */
class AcmeClusterIT {

    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final String NAME = "app.cluster.test";
    private static final String[] NODES = {"", "127.0.0.3", "127.0.0.2"};

    @TempDir
    Path dir;

    @Test
    void oneNodeOrdersAndEveryNodeServesTheCertificate() throws Exception {
        int http = Net.freeTcpPort();
        int https = Net.freeTcpPort();
        Path ca = dir.resolve("pebble");
        Files.createDirectories(ca);
        try (HelloSite site = HelloSite.start();
                Postgres pg = Postgres.start();
                Pebble pebble = Pebble.start(ca, http, Duration.ofHours(1))) {
            pebble.resolve(NAME, NODES[2]);
            JarProcess[] nodes = new JarProcess[3];
            try {
                start(nodes, pg, pebble, http, https);
                String target = "127.0.0.1:" + site.port();
                assertThat(api(1, "POST", "/api/v1/forwards", siteOn(target, ",\"nodes\":[\"edge-1\"]")))
                        .startsWith("201");
                await("a trusted certificate on edge-1").atMost(LIMIT).until(() -> trusted(pebble, NODES[1], https)
                        .equals("hello from " + NAME + "\n"));
                String ordered = "certificate for " + NAME + " from " + pebble.directory();
                assertThat(nodes[1].count(ordered)).isEqualTo(1);
                assertThat(nodes[2].output()).doesNotContain("certificate for " + NAME);

                assertThat(api(1, "PUT", "/api/v1/forwards/app", siteOn(target, "")))
                        .startsWith("200");
                await("the same certificate on edge-2").atMost(LIMIT).until(() -> trusted(pebble, NODES[2], https)
                        .equals("hello from " + NAME + "\n"));
                assertThat(serial(NODES[2], https)).isNotEmpty().isEqualTo(serial(NODES[1], https));
                assertThat(nodes[2].output()).contains("certificate for " + NAME + " from the store");
                assertThat(pebble.log().split("Issued certificate", -1)).hasSize(2);

                // Every node answers any token with the shared account's thumbprint, as the CA expects.
                String token = "A".repeat(43);
                String one = challenge(NODES[1], http, token);
                assertThat(one).startsWith(token + ".").hasSizeGreaterThan(token.length() + 40);
                assertThat(challenge(NODES[2], http, token)).isEqualTo(one);
            } finally {
                for (JarProcess n : nodes) {
                    if (n != null) {
                        n.close();
                    }
                }
            }
        }
    }

    @Test
    void theNodeTheCaReachesAnswersTlsAlpnForTheNodeThatOrders() throws Exception {
        int https = Net.freeTcpPort();
        Path ca = dir.resolve("pebble");
        Files.createDirectories(ca);
        try (HelloSite site = HelloSite.start();
                Postgres pg = Postgres.start();
                Pebble pebble = Pebble.start(ca, Net.freeTcpPort(), https, Duration.ofHours(1))) {
            pebble.resolve(NAME, NODES[2]);
            JarProcess[] nodes = new JarProcess[3];
            try {
                // No http: port, so the CA checks the name with a tls-alpn-01 handshake — and it reaches node 2.
                start(nodes, pg, pebble, 0, https);
                assertThat(api(
                                1,
                                "POST",
                                "/api/v1/forwards",
                                siteOn("127.0.0.1:" + site.port(), ",\"nodes\":[\"edge-1\"]")))
                        .startsWith("201");
                await("a trusted certificate on edge-1").atMost(LIMIT).until(() -> trusted(pebble, NODES[1], https)
                        .equals("hello from " + NAME + "\n"));
                assertThat(nodes[1].count("certificate for " + NAME + " from " + pebble.directory()))
                        .isEqualTo(1);
                // The check was taken out of the store with the order done: node 2 answers acme-tls/1 no more.
                assertThat(Pebble.acmeTlsHello(NODES[2], https, NAME)).contains("no peer certificate available");
            } finally {
                for (JarProcess n : nodes) {
                    if (n != null) {
                        n.close();
                    }
                }
            }
        }
    }

    /** Two nodes on {@code pg}, each with http-routing on its own address ({@code http} 0: no plain port). */
    private void start(JarProcess[] nodes, Postgres pg, Pebble pebble, int http, int https) throws Exception {
        for (int i = 1; i <= 2; i++) {
            Path home = dir.resolve("edge-" + i);
            Files.createDirectories(home);
            Files.writeString(
                    home.resolve("portgate.yaml"),
                    "store:\n  url: " + pg.url() + "\n  password-file: " + pg.passwordFile() + "\n"
                            + "node:\n  name: edge-" + i + "\n"
                            + "http-routing:\n"
                            + (http == 0 ? "" : "  http: " + NODES[i] + ":" + http + "\n")
                            + "  https: " + NODES[i] + ":" + https + "\n  acme:\n    directory: " + pebble.directory()
                            + "\n    accept-terms: true\n    trust: " + pebble.trust() + "\n");
            nodes[i] = JarProcess.serve(home, List.of(), "127.0.0.1:0");
        }
        for (int i = 1; i <= 2; i++) {
            nodes[i].awaitOutput("portgate started");
        }
    }

    private static String siteOn(String target, String nodes) {
        return "{\"name\":\"app\",\"kind\":\"http\",\"host\":\"" + NAME + "\",\"target\":\"" + target + "\"" + nodes
                + "}";
    }

    /** One API call on node {@code i}: "STATUS BODY". */
    private String api(int i, String method, String path, String body) throws Exception {
        Path data = dir.resolve("edge-" + i).resolve("data");
        String out = curl(
                "-w",
                "\n%{http_code}",
                "-X",
                method,
                "-H",
                "Authorization: Bearer "
                        + Files.readString(data.resolve("api-token")).strip(),
                "-H",
                "Content-Type: application/json",
                "--data",
                body,
                Files.readString(data.resolve("console-url")).strip() + path);
        int nl = out.lastIndexOf('\n');
        return out.substring(nl + 1) + " " + out.substring(0, nl);
    }

    /** GET https://NAME/ on one node, trusting only Pebble's root. */
    private static String trusted(Pebble pebble, String node, int https) throws Exception {
        return curl(
                "--cacert",
                pebble.root().toString(),
                "--resolve",
                NAME + ":" + https + ":" + node,
                "https://" + NAME + ":" + https + "/");
    }

    private static String challenge(String node, int http, String token) throws Exception {
        return curl(
                "--resolve",
                NAME + ":" + http + ":" + node,
                "http://" + NAME + ":" + http + "/.well-known/acme-challenge/" + token);
    }

    private static String serial(String node, int https) throws Exception {
        Processes.Result r = Processes.run(
                LIMIT,
                List.of(
                        "sh",
                        "-c",
                        Peers.require("openssl") + " s_client -connect " + node + ":" + https + " -servername " + NAME
                                + " < /dev/null 2>/dev/null | " + Peers.require("openssl") + " x509 -noout -serial"));
        return r.out().strip();
    }

    private static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("curl"), "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        return Processes.run(LIMIT, cmd).out();
    }
}
