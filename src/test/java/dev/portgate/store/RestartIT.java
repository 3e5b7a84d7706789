package dev.portgate.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portgate.testing.ApiCalls;
import dev.portgate.testing.Echo;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Net;
import dev.portgate.testing.TcpPeers;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store is the desired state: a restart — or a SIGKILL in the middle of changes — brings back exactly what was saved. */
class RestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private JarProcess start() {
        try {
            JarProcess p = JarProcess.start(
                    dir,
                    Map.of("PORTGATE_ADMIN_PASSWORD", "correct-horse-battery"),
                    "serve",
                    "--data",
                    dir.resolve("data").toString(),
                    "--console",
                    "127.0.0.1:0");
            p.awaitOutput("portgate started");
            return p;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String forward(String name, int port, int target) {
        return "{\"name\":\"" + name + "\",\"listen\":\"127.0.0.1:" + port + "\",\"target\":\"127.0.0.1:" + target
                + "\"}";
    }

    @Test
    void forwardsAndAuditSurviveANormalRestart() throws Exception {
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo)) {
            int a = Net.freeTcpPort();
            int b = Net.freeTcpPort();
            try (JarProcess first = start()) {
                ApiCalls api = new ApiCalls(dir.resolve("data"));
                assertThat(api.send("POST", "/api/v1/forwards", forward("a", a, echo.port()))
                                .status())
                        .isEqualTo(201);
                assertThat(api.send("POST", "/api/v1/forwards", forward("b", b, echo.port()))
                                .status())
                        .isEqualTo(201);
                assertThat(api.send("POST", "/api/v1/forwards/b/disable", null).status())
                        .isEqualTo(200);
                first.signal("TERM");
                first.awaitExit(Duration.ofSeconds(30));
            }
            try (JarProcess second = start()) {
                ApiCalls api = new ApiCalls(dir.resolve("data"));
                JsonNode list = JSON.readTree(api.get("/api/v1/forwards").body());
                assertThat(list.findValuesAsText("name")).containsExactly("a", "b");
                assertThat(list.get(0).get("state").asText()).isEqualTo("listening");
                assertThat(list.get(1).get("state").asText()).isEqualTo("disabled");
                Echo.assertEchoes(a);
                JsonNode audit = JSON.readTree(api.get("/api/v1/audit").body());
                assertThat(audit.findValuesAsText("action")).contains("forward.add", "forward.disable");
                // No new admin password on a second start: it is printed once.
                assertThat(second.output()).doesNotContain("first start");
            }
        }
    }

    @Test
    void aForwardsTrafficTotalsSurviveARestartAndItsChartShowsTheBytes() throws Exception {
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo)) {
            int port = Net.freeTcpPort();
            byte[] payload = new byte[300_000];
            String since;
            try (JarProcess first = start()) {
                ApiCalls api = new ApiCalls(dir.resolve("data"));
                assertThat(api.send("POST", "/api/v1/forwards", forward("t", port, echo.port()))
                                .status())
                        .isEqualTo(201);
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.getOutputStream().write(payload);
                    assertThat(s.getInputStream().readNBytes(payload.length)).hasSize(payload.length);
                }
                // Sampled every 5 s: the chart's last minutes hold the bytes, at some rate above zero.
                Awaitility.await()
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> JSON.readTree(api.get("/api/v1/forwards/t/traffic")
                                                .body())
                                        .path("total-in")
                                        .asLong()
                                == payload.length);
                JsonNode hour = JSON.readTree(
                        api.get("/api/v1/forwards/t/traffic?range=hour").body());
                assertThat(hour.path("points")).hasSize(60);
                // The sample's minute is the current one, or the one before if the minute turned since.
                assertThat(hour.path("points").get(58).get(1).asLong()
                                + hour.path("points").get(59).get(1).asLong())
                        .isPositive();
                assertThat(hour.path("total-out").asLong()).isEqualTo(payload.length);
                since = hour.path("since").asText();
                first.signal("TERM");
                first.awaitExit(Duration.ofSeconds(30));
            }
            try (JarProcess second = start()) {
                ApiCalls api = new ApiCalls(dir.resolve("data"));
                JsonNode day = JSON.readTree(
                        api.get("/api/v1/forwards/t/traffic?range=day").body());
                assertThat(day.path("total-in").asLong()).isEqualTo(payload.length);
                assertThat(day.path("total-out").asLong()).isEqualTo(payload.length);
                assertThat(day.path("since").asText()).isEqualTo(since);
                assertThat(day.path("points")).hasSize(96);
                assertThat(api.send("DELETE", "/api/v1/forwards/t", null).status())
                        .isEqualTo(204);
                assertThat(api.get("/api/v1/forwards/t/traffic").status()).isEqualTo(404);
            }
        }
    }

    @Test
    void sigkillInTheMiddleOfChangesLosesNothingThatWasAcknowledged() throws Exception {
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo)) {
            List<String> acknowledged = new CopyOnWriteArrayList<>();
            Set<String> attempted = ConcurrentHashMap.newKeySet();
            JarProcess first = start();
            ApiCalls api = new ApiCalls(dir.resolve("data"));
            // Bounded: at most 300 changes or 30 s; the kill comes while they run.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                for (int i = 0; i < 300 && System.nanoTime() < end; i++) {
                    String name = "f" + i;
                    attempted.add(name);
                    try {
                        if (api.send("POST", "/api/v1/forwards", forward(name, Net.freeTcpPort(), echo.port()))
                                        .status()
                                == 201) {
                            acknowledged.add(name);
                        }
                    } catch (Exception killed) {
                        return;
                    }
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 25);
            first.signal("KILL");
            first.awaitExit(Duration.ofSeconds(10));
            writer.get(40, TimeUnit.SECONDS);
            first.close();

            try (JarProcess second = start()) {
                ApiCalls again = new ApiCalls(dir.resolve("data"));
                JsonNode list = JSON.readTree(again.get("/api/v1/forwards").body());
                Set<String> present = new HashSet<>(list.findValuesAsText("name"));
                assertThat(present).containsAll(acknowledged);
                assertThat(attempted).containsAll(present);
                assertThat(present.size()).isBetween(acknowledged.size(), acknowledged.size() + 1);
                // Each forward that is there came with its audit entry: nothing half-written.
                JsonNode audit =
                        JSON.readTree(again.get("/api/v1/audit?limit=1000").body());
                List<String> added = new ArrayList<>();
                for (JsonNode e : audit) {
                    if (e.get("action").asText().equals("forward.add")) {
                        added.add(e.get("subject").asText());
                    }
                }
                assertThat(added).containsExactlyInAnyOrderElementsOf(present);
                for (JsonNode f : list) {
                    assertThat(f.get("state").asText())
                            .as(f.get("name").asText())
                            .isEqualTo("listening");
                }
                assertThat(second.output()).doesNotContain("was not loaded");
            }
        }
    }
}
