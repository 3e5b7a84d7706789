package dev.portgate.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.net.KeyStores;
import dev.portgate.testing.ClusterNet;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Postgres;
import dev.portgate.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tunnel client that lists two tunnel servers — two nodes of one cluster, one certificate — connects to the
 * first; a player reaches its port there. When that node dies, the client moves to the next server by itself and
 * the player's next connection, to that node, is carried to the client.
 */
class TunnelFailoverIT {

    private static final Duration SOON = Duration.ofSeconds(30);
    private static final int ECHO = 9000;

    @TempDir
    Path tmp;

    @Test
    void theClientMovesToTheNextServerWhenItsNodeDiesAndPlayersAreServedThere() throws Exception {
        try (ClusterNet net = ClusterNet.create(2);
                Postgres pg = Postgres.start(net.hubPrefix(), ClusterNet.HUB, 5432)) {
            net.startInHub("socat", "TCP-LISTEN:" + ECHO + ",bind=" + ClusterNet.HUB + ",fork,reuseaddr", "EXEC:cat");
            // One certificate for both nodes' tunnel servers: the client pins one fingerprint.
            KeyStores.KeyStoreFile certificate =
                    KeyStores.selfSigned(tmp.resolve("tunnel.p12"), "portgate tunnel", "localhost");
            String token = TunnelTokens.generate();
            Files.writeString(tmp.resolve("home.token"), token);
            Files.writeString(tmp.resolve("home.hash"), TunnelTokens.hash(token));
            JarProcess[] nodes = new JarProcess[3];
            for (int i = 1; i <= 2; i++) {
                nodes[i] = net.portgate(
                        i,
                        tmp.resolve("edge-" + i),
                        "store:\n  url: " + pg.url() + "\n  password-file: " + pg.passwordFile() + "\n"
                                + "node:\n  name: edge-" + i + "\n"
                                + "tunnel-server:\n  listen: 0.0.0.0:7443\n  certificate: key-store\n"
                                + "  key-store: " + certificate.path() + "\n"
                                + "  key-store-password-file: " + certificate.path() + ".password\n"
                                + "  clients:\n    - name: home\n      token-file: " + tmp.resolve("home.hash")
                                + "\n      permit-listen: [ \"0.0.0.0:9100\" ]\n");
                nodes[i].awaitOutput("console and API on");
            }
            Path home = tmp.resolve("home");
            Files.createDirectories(home);
            Files.writeString(
                    home.resolve("portgate.yaml"),
                    "tunnel-endpoints:\n  - name: cluster\n    servers: [ " + ClusterNet.address(1) + ":7443, "
                            + ClusterNet.address(2) + ":7443 ]\n    token-file: " + tmp.resolve("home.token")
                            + "\n    server-fingerprint: \"sha256:" + KeyStores.fingerprint(certificate) + "\"\n"
                            // A server silent for three pings is left: 6 s here.
                            + "    keepalive: 2s\n"
                            + "forwards:\n  - { name: mc, kind: remote, via: cluster, listen: 0.0.0.0:9100,"
                            + " target: \"" + ClusterNet.HUB + ":" + ECHO + "\" }\n");
            try (JarProcess client = JarProcess.start(
                    home,
                    Map.of(),
                    net.hubPrefix(),
                    "serve",
                    "--config",
                    "portgate.yaml",
                    "--data",
                    "data",
                    "--console",
                    "127.0.0.1:7081")) {
                await().atMost(SOON).until(() -> net.roundTrip(ClusterNet.address(1), 9100, "player on edge-1")
                        .equals("player on edge-1"));

                Processes.run(SOON, List.of("kill", "-KILL", String.valueOf(nodes[1].pid())));
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> net.roundTrip(ClusterNet.address(2), 9100, "player on edge-2")
                                .equals("player on edge-2"));
                assertThat(client.output())
                        .contains("did not answer for")
                        .contains("trying the next server, " + ClusterNet.address(2) + ":7443")
                        .contains("connected to " + ClusterNet.address(2) + ":7443");
            }
        }
    }
}
