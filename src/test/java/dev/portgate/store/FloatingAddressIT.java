package dev.portgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.testing.ClusterNet;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Postgres;
import dev.portgate.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's keepalived setup, for real: two nodes in namespaces share one PostgreSQL, keepalived (VRRP) holds
 * a floating address on the node whose gateway answers its health check, and when that gateway dies the address
 * moves to the other node, where a client reconnecting to it is served.
 */
class FloatingAddressIT {

    private static final String FLOATING = "10.93.0.100";
    private static final int ECHO = 9000;
    private static final Duration SOON = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void theAddressMovesToTheOtherNodeWhenTheMastersGatewayDies() throws Exception {
        String keepalived = Peers.require("keepalived");
        try (ClusterNet net = ClusterNet.create(2);
                Postgres pg = Postgres.start(net.hubPrefix(), ClusterNet.HUB, 5432)) {
            net.startInHub("socat", "TCP-LISTEN:" + ECHO + ",bind=" + ClusterNet.HUB + ",fork,reuseaddr", "EXEC:cat");
            JarProcess[] gateways = new JarProcess[3];
            for (int i = 1; i <= 2; i++) {
                Path dir = tmp.resolve("edge-" + i);
                gateways[i] = net.portgate(
                        i,
                        dir,
                        "store:\n  url: " + pg.url() + "\n  password-file: " + pg.passwordFile() + "\n"
                                + "node:\n  name: edge-" + i + "\n");
                gateways[i].awaitOutput("console and API on");
            }
            assertThat(net.api(
                            1,
                            tmp.resolve("edge-1"),
                            "POST",
                            "/api/v1/forwards",
                            "{\"name\":\"web\",\"listen\":\"0.0.0.0:8080\",\"target\":\"" + ClusterNet.HUB + ":" + ECHO
                                    + "\"}"))
                    .startsWith("201");

            for (int i = 1; i <= 2; i++) {
                Path conf = tmp.resolve("keepalived-" + i + ".conf");
                Files.writeString(conf, config(net.interfaceOf(i), i == 1 ? "MASTER" : "BACKUP", i == 1 ? 150 : 100));
                net.startIn(
                        i,
                        keepalived,
                        "--dont-fork",
                        "--log-console",
                        "--vrrp",
                        "-f",
                        conf.toString(),
                        "-p",
                        tmp.resolve("keepalived-" + i + ".pid").toString(),
                        "-r",
                        tmp.resolve("vrrp-" + i + ".pid").toString());
            }
            await().atMost(SOON).until(() -> holds(net, 1));
            await().atMost(SOON)
                    .until(() -> net.roundTrip(FLOATING, 8080, "via edge-1").equals("via edge-1"));
            assertThat(holds(net, 2)).isFalse();

            Processes.run(SOON, List.of("kill", "-KILL", String.valueOf(gateways[1].pid())));
            await().atMost(SOON).until(() -> holds(net, 2) && !holds(net, 1));
            await().atMost(SOON)
                    .until(() -> net.roundTrip(FLOATING, 8080, "via edge-2").equals("via edge-2"));
        }
    }

    private static boolean holds(ClusterNet net, int node) throws Exception {
        return Processes.run(SOON, net.in(node, "ip", "-4", "addr", "show"))
                .out()
                .contains(FLOATING + "/");
    }

    /** The README's keepalived.conf, with this namespace's interface and the gateway's health check. */
    private static String config(String iface, String state, int priority) {
        return """
                global_defs {
                    script_user root
                    enable_script_security
                }
                vrrp_script portgate {
                    script "/usr/bin/curl -fsS -o /dev/null -m 1 http://127.0.0.1:%d/api/v1/health"
                    interval 1
                    fall 2
                    rise 2
                }
                vrrp_instance public {
                    state %s
                    interface %s
                    virtual_router_id 51
                    priority %d
                    advert_int 1
                    virtual_ipaddress { %s/24 }
                    track_script { portgate }
                }
                """
                .formatted(ClusterNet.CONSOLE, state, iface, priority, FLOATING);
    }
}
