package dev.portgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portgate.testing.ApiCalls;
import dev.portgate.testing.Echo;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Net;
import dev.portgate.testing.TcpPeers;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.assertj.core.api.Assertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API of the real jar: forwards made through it carry traffic, and every kind of bad input is refused cleanly. */
class ApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static JarProcess gateway;
    static ApiCalls api;
    static TcpPeers echo;

    @BeforeAll
    static void start() throws Exception {
        echo = TcpPeers.start(TcpPeers::echo);
        Path cfg = dir.resolve("portgate.yaml");
        Files.writeString(
                cfg,
                "forwards:\n  - name: from-file\n    listen: 127.0.0.1:" + Net.freeTcpPort()
                        + "\n    target: 127.0.0.1:" + echo.port() + "\n");
        gateway = JarProcess.start(
                dir,
                Map.of("PORTGATE_ADMIN_PASSWORD", "correct-horse-battery"),
                "serve",
                "--data",
                dir.resolve("data").toString(),
                "--console",
                "127.0.0.1:0",
                "--config",
                cfg.toString());
        gateway.awaitOutput("portgate started");
        api = new ApiCalls(dir.resolve("data"));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        echo.close();
    }

    private static JsonNode json(ApiCalls.Reply r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static String forward(String name, int port) {
        return "{\"name\":\"" + name + "\",\"listen\":\"127.0.0.1:" + port + "\",\"target\":\"127.0.0.1:" + echo.port()
                + "\"}";
    }

    private static void assertRefused(int port) {
        Assertions.assertThatThrownBy(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
                    }
                })
                .hasMessageContaining("refused");
    }

    @Test
    void createEditDisableDeleteAndTrafficFollows() throws Exception {
        int port = Net.freeTcpPort();
        ApiCalls.Reply created = api.send("POST", "/api/v1/forwards", forward("api-echo", port));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(json(created).get("state").asText()).isEqualTo("listening");
        assertThat(json(created).get("origin").asText()).isEqualTo("api");
        Echo.assertEchoes(port);
        JsonNode shown = json(api.get("/api/v1/forwards/api-echo"));
        assertThat(shown.get("stats").get("bytes-in").asLong()).isEqualTo(5);
        assertThat(shown.get("stats").get("connections-total").asLong()).isEqualTo(1);

        int moved = Net.freeTcpPort();
        ApiCalls.Reply edited = api.send(
                "PATCH",
                "/api/v1/forwards/api-echo",
                "{\"listen\":\"127.0.0.1:" + moved + "\",\"description\":\"moved\"}");
        assertThat(edited.status()).as(edited.body()).isEqualTo(200);
        assertThat(json(edited).get("description").asText()).isEqualTo("moved");
        Echo.assertEchoes(moved);
        assertRefused(port);

        assertThat(api.send("POST", "/api/v1/forwards/api-echo/disable", null).status())
                .isEqualTo(200);
        assertRefused(moved);
        assertThat(json(api.get("/api/v1/forwards/api-echo")).get("state").asText())
                .isEqualTo("disabled");
        assertThat(api.send("POST", "/api/v1/forwards/api-echo/enable", null).status())
                .isEqualTo(200);
        Echo.assertEchoes(moved);

        // A GET's output can be sent back as it is.
        JsonNode current = json(api.get("/api/v1/forwards/api-echo"));
        ApiCalls.Reply put = api.send("PUT", "/api/v1/forwards/api-echo", current.toString());
        assertThat(put.status()).as(put.body()).isEqualTo(200);

        assertThat(api.send("DELETE", "/api/v1/forwards/api-echo", null).status())
                .isEqualTo(204);
        assertRefused(moved);
        assertThat(api.get("/api/v1/forwards/api-echo").status()).isEqualTo(404);

        JsonNode audit = json(api.get("/api/v1/audit?limit=20"));
        assertThat(audit.findValuesAsText("action"))
                .contains("forward.add", "forward.edit", "forward.disable", "forward.enable", "forward.delete");
        JsonNode add = null;
        for (JsonNode e : audit) {
            if (e.get("action").asText().equals("forward.add")
                    && e.get("subject").asText().equals("api-echo")) {
                add = e;
            }
        }
        assertThat(add).isNotNull();
        assertThat(add.get("actor").asText()).isEqualTo("token data-folder");
        assertThat(add.get("source").asText()).isEqualTo("127.0.0.1");
        assertThat(add.get("after").get("listen").asText()).isEqualTo("127.0.0.1:" + port);
    }

    @Test
    void conflictsAndInvalidForwardsGet422WithTheFieldsAndChangeNothing() throws Exception {
        int port = Net.freeTcpPort();
        assertThat(api.send("POST", "/api/v1/forwards", forward("first", port)).status())
                .isEqualTo(201);
        ApiCalls.Reply clash = api.send("POST", "/api/v1/forwards", forward("second", port));
        assertThat(clash.status()).isEqualTo(422);
        assertThat(json(clash).get("problems").get(0).get("field").asText()).isEqualTo("listen");
        assertThat(json(clash).get("problems").get(0).get("message").asText())
                .isEqualTo("forward \"second\": listen port " + port
                        + "/tcp is already used by forward \"first\" — choose another port or address");

        ApiCalls.Reply bad = api.send(
                "POST",
                "/api/v1/forwards",
                "{\"name\":\"bad\",\"listen\":\"0\",\"target\":\"nohost\",\"allow\":[\"10.0.0.0/99\"],\"colour\":\"blue\",\"idle-timeout\":\"soon\"}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(json(bad).get("problems").findValuesAsText("field"))
                .containsExactlyInAnyOrder("colour", "listen", "target", "allow", "idle-timeout");
        assertThat(json(bad).get("problems").findValuesAsText("message"))
                .contains(
                        "forward \"bad\": unknown key \"colour\" — known keys are name, kind, "
                                + "protocol, listen, target, allow, deny, idle-timeout, max-connections, expires, nodes, proxy-protocol, data-plane, enabled, description, access, knock-key, open-for, close-when-idle, rate-limit, bandwidth, tls-certificate, tls-key, tls-client-ca, target-tls, target-ca");

        // A forward that is valid but for one mistyped key is refused too: "acces: login" must not become an open door.
        for (String typo : List.of(
                "{\"name\":\"typo\",\"listen\":\"" + Net.freeTcpPort()
                        + "\",\"target\":\"127.0.0.1:80\",\"acces\":\"login\"}",
                "{\"name\":\"typo\",\"kind\":\"http\",\"host\":\"typo.example.net\","
                        + "\"target\":\"127.0.0.1:80\",\"acces\":\"login\"}")) {
            ApiCalls.Reply refused = api.send("POST", "/api/v1/forwards", typo);
            assertThat(refused.status()).as(typo).isEqualTo(422);
            assertThat(json(refused).get("problems").findValuesAsText("field")).containsExactly("acces");
        }

        assertThat(api.send("POST", "/api/v1/forwards", forward("first", Net.freeTcpPort()))
                        .status())
                .isEqualTo(409);
        ApiCalls.Reply fromFile = api.send("DELETE", "/api/v1/forwards/from-file", null);
        assertThat(fromFile.status()).isEqualTo(409);
        assertThat(json(fromFile).get("error").asText())
                .contains("comes from the config file")
                .contains("change it there");
        assertThat(api.send("PATCH", "/api/v1/forwards/nope", "{\"description\":\"x\"}")
                        .status())
                .isEqualTo(404);

        JsonNode names = json(api.get("/api/v1/forwards"));
        assertThat(names.findValuesAsText("name"))
                .doesNotContain("second", "bad", "typo")
                .contains("first", "from-file");
        assertThat(api.send("DELETE", "/api/v1/forwards/first", null).status()).isEqualTo(204);
    }

    @Test
    void malformedBodiesWrongTypesAndOversizeAreRefused() throws Exception {
        ApiCalls.Reply malformed = api.send("POST", "/api/v1/forwards", "{\"name\": \"x\", ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(json(malformed).get("error").asText()).startsWith("malformed JSON at line 1");
        assertThat(api.send("POST", "/api/v1/forwards", "[1,2]").status()).isEqualTo(400);
        ApiCalls.Reply wrongType =
                api.call("POST", "/api/v1/forwards", "text/plain", forward("t", Net.freeTcpPort()), api.token());
        assertThat(wrongType.status()).isEqualTo(415);
        assertThat(json(wrongType).get("error").asText()).contains("Content-Type: application/json");
        String huge = "{\"name\":\"big\",\"description\":\"" + "x".repeat(200_000) + "\"}";
        assertThat(api.send("POST", "/api/v1/forwards", huge).status()).isEqualTo(413);
        assertThat(api.get("/api/v1/nothing-here").status()).isEqualTo(404);
        assertThat(json(api.get("/api/v1/forwards")).findValuesAsText("name")).doesNotContain("x", "t", "big");
    }

    /** What a stranger can send before logging in: each gets a 4xx that names the fault, and the log stays quiet. */
    @Test
    void hostileBodiesGet4xxAndNoStackTrace() throws Exception {
        String deep = "[".repeat(1500) + "]".repeat(1500);
        ApiCalls.Reply nested = api.call("POST", "/api/v1/session", "application/json", deep, null);
        assertThat(nested.status()).as(nested.body()).isEqualTo(400);
        assertThat(json(nested).get("error").asText()).contains("nesting depth");
        ApiCalls.Reply nestedObject = api.send("POST", "/api/v1/forwards", "{\"a\":" + deep + "}");
        assertThat(nestedObject.status()).as(nestedObject.body()).isEqualTo(400);
        ApiCalls.Reply twice = api.send("POST", "/api/v1/forwards", "{\"name\":\"a\",\"name\":\"b\"}");
        assertThat(twice.status()).as(twice.body()).isEqualTo(400);
        assertThat(json(twice).get("error").asText()).contains("Duplicate field 'name'");

        // A body shorter than its Content-Length, then the client stops sending.
        URI base = URI.create(api.base());
        String head = "POST /api/v1/session HTTP/1.1\r\nHost: " + base.getAuthority()
                + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"user\":";
        for (int i = 0; i < 20; i++) {
            try (Socket s = new Socket(base.getHost(), base.getPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(answer).startsWith("HTTP/1.1 400");
            }
        }
        assertThat(api.get("/api/v1/health").status()).isEqualTo(200);
        assertThat(gateway.output()).doesNotContain("internal error").doesNotContain("\tat org.eclipse.jetty");
    }

    @Test
    void tokensSessionsAndCsrf() throws Exception {
        assertThat(api.call("GET", "/api/v1/forwards", null, null, null).status())
                .isEqualTo(401);
        ApiCalls.Reply wrong = api.call("GET", "/api/v1/forwards", null, null, "pgt_wrong");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(json(wrong).get("error").asText()).contains("API token is not valid");
        assertThat(api.call("GET", "/api/v1/health", null, null, null).status()).isEqualTo(200);
        ApiCalls.Reply openapi = api.call("GET", "/api/v1/openapi.json", null, null, null);
        assertThat(openapi.status()).isEqualTo(200);
        assertThat(json(openapi).get("openapi").asText()).startsWith("3.");
        assertThat(json(openapi).get("paths").has("/api/v1/forwards/{name}")).isTrue();

        // Log in like the console: the cookie is HttpOnly and SameSite=Strict; changes need the CSRF token.
        ApiCalls.Reply login = api.call(
                "POST", "/api/v1/session", "application/json", "{\"password\":\"correct-horse-battery\"}", null);
        assertThat(login.status()).isEqualTo(200);
        String setCookie = login.raw().headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String csrf = json(login).get("csrf").asText();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/forwards"))
                .header("Cookie", cookie)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(forward("via-session", Net.freeTcpPort())));
        assertThat(http.send(req.build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(403);
        assertThat(http.send(req.header("X-CSRF-Token", csrf).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(201);
        ApiCalls.Reply page = api.call("GET", "/", null, null, null);
        assertThat(page.raw().headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("frame-ancestors 'none'");
        assertThat(page.raw().headers().firstValue("X-Frame-Options")).hasValue("DENY");

        ApiCalls.Reply token = api.send("POST", "/api/v1/tokens", "{\"name\":\"backup\"}");
        assertThat(token.status()).isEqualTo(201);
        String secret = json(token).get("token").asText();
        assertThat(api.call("GET", "/api/v1/stats", null, null, secret).status())
                .isEqualTo(200);
        assertThat(api.send("DELETE", "/api/v1/tokens/backup", null).status()).isEqualTo(204);
        assertThat(api.call("GET", "/api/v1/stats", null, null, secret).status())
                .isEqualTo(401);
        assertThat(api.send("DELETE", "/api/v1/forwards/via-session", null).status())
                .isEqualTo(204);
    }

    @Test
    void changingTheAdminPasswordChecksTheOldOneAndTheLength() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ApiCalls.Reply login = api.call(
                "POST", "/api/v1/session", "application/json", "{\"password\":\"correct-horse-battery\"}", null);
        String cookie =
                login.raw().headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String csrf = json(login).get("csrf").asText();
        Function<String, Integer> change = body -> {
            try {
                return http.send(
                                HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/account/password"))
                                        .header("Cookie", cookie)
                                        .header("X-CSRF-Token", csrf)
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertThat(change.apply("{\"current\":\"nope\",\"new\":\"a-long-new-password\"}"))
                .isEqualTo(422);
        assertThat(change.apply("{\"current\":\"correct-horse-battery\",\"new\":\"short\"}"))
                .isEqualTo(422);
        assertThat(change.apply("{\"current\":\"correct-horse-battery\",\"new\":\"a-long-new-password\"}"))
                .isEqualTo(204);
        assertThat(api.call(
                                "POST",
                                "/api/v1/session",
                                "application/json",
                                "{\"password\":\"correct-horse-battery\"}",
                                null)
                        .status())
                .isEqualTo(401);
        assertThat(api.call(
                                "POST",
                                "/api/v1/session",
                                "application/json",
                                "{\"password\":\"a-long-new-password\"}",
                                null)
                        .status())
                .isEqualTo(200);
        assertThat(change.apply("{\"current\":\"a-long-new-password\",\"new\":\"correct-horse-battery\"}"))
                .isEqualTo(204);
        JsonNode audit = json(api.get("/api/v1/audit?limit=50"));
        assertThat(audit.findValuesAsText("action")).contains("password.change", "login", "login.failed");
    }

    @Test
    void prometheusMetricsCountPerForward() throws Exception {
        int port = Net.freeTcpPort();
        assertThat(api.send("POST", "/api/v1/forwards", forward("metered", port))
                        .status())
                .isEqualTo(201);
        Echo.assertEchoes(port);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/metrics")
                .body()
                .contains("portgate_forward_bytes_total{direction=\"in\",forward=\"metered\"} 5.0"));
        String metrics = api.get("/metrics").body();
        assertThat(metrics)
                .contains("portgate_forward_connections_total{forward=\"metered\",protocol=\"tcp\"} 1.0")
                .contains("jvm_memory_used_bytes");
        assertThat(api.call("GET", "/metrics", null, null, null).status()).isEqualTo(401);
        assertThat(api.send("DELETE", "/api/v1/forwards/metered", null).status())
                .isEqualTo(204);
    }
}
