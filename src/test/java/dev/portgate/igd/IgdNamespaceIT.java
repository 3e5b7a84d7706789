package dev.portgate.igd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Net;
import dev.portgate.testing.Netns;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * In a network namespace of the test's own: SSDP for real (upnpc finds the gateway by multicast,
 * with no URL given), and requests from outside the LAN's network dropped unanswered.
 */
class IgdNamespaceIT {

    @Test
    void upnpcDiscoversTheGatewayAndMapsThroughIt() throws Exception {
        String upnpc = Peers.require("upnpc");
        Path dir = Files.createTempDirectory("portgate-ssdp");
        int http = Net.freeTcpPort();
        Files.writeString(
                dir.resolve("portgate.yaml"),
                "igd:\n  lan: [ 127.0.0.1 ]\n  external-address: 203.0.113.7\n" + "  listen: 127.0.0.1\n  http-port: "
                        + http + "\n  nat-pmp: false\n  pcp: false\n");
        try (Netns ns = Netns.withMulticastLoopback("pg-ssdp");
                JarProcess gw = JarProcess.start(
                        dir,
                        Map.of(),
                        ns.prefix(),
                        "serve",
                        "--config",
                        "portgate.yaml",
                        "--data",
                        "data",
                        "--console",
                        "off")) {
            gw.awaitOutput("SSDP on");
            // -i: upnpc calls an IGD whose external address is a reserved one (203.0.113.7) "not connected".
            Processes.Result found = Processes.run(
                    Duration.ofSeconds(30),
                    ns.exec(upnpc, "-i", "-m", "lo", "-a", "127.0.0.1", "40000", "41000", "TCP"));
            assertThat(found.out())
                    .contains("desc: http://127.0.0.1:" + http + "/rootDesc.xml")
                    .contains("st: urn:schemas-upnp-org:device:InternetGatewayDevice:1")
                    .contains("external 203.0.113.7:41000 TCP is redirected to internal 127.0.0.1:40000");
            gw.awaitOutput("forward \"lease-tcp-41000\" added");
        }
    }

    @Test
    void requestsFromOutsideTheLanNetworkAreDroppedAndCounted() throws Exception {
        String natpmpc = Peers.require("natpmpc");
        String socat = Peers.require("socat");
        String curl = Peers.require("curl");
        Path dir = Files.createTempDirectory("portgate-wan");
        int http = Net.freeTcpPort();
        int console = Net.freeTcpPort();
        Files.writeString(
                dir.resolve("portgate.yaml"),
                "igd:\n  lan: [ 10.77.0.1 ]\n  external-address: 203.0.113.7\n" + "  http-port: " + http + "\n");
        try (Netns ns = Netns.withMulticastLoopback("pg-wan")) {
            // A LAN network and a "WAN" address, both on the namespace's loopback.
            ns.setup("ip", "addr", "add", "10.77.0.1/24", "dev", "lo");
            ns.setup("ip", "addr", "add", "198.51.100.1/24", "dev", "lo");
            try (JarProcess gw = JarProcess.start(
                    dir,
                    Map.of(),
                    ns.prefix(),
                    "serve",
                    "--config",
                    "portgate.yaml",
                    "--data",
                    "data",
                    "--console",
                    "127.0.0.1:" + console)) {
                gw.awaitOutput("portgate started");
                assertThat(Processes.run(Duration.ofSeconds(30), ns.exec(natpmpc, "-g", "10.77.0.1"))
                                .out())
                        .contains("Public IP address : 203.0.113.7");
                // The same request from the WAN address: no answer, one count.
                Processes.Result sent = Processes.run(
                        Duration.ofSeconds(30),
                        ns.exec(
                                "sh",
                                "-c",
                                "printf '\\000\\000' | " + socat
                                        + " -u - UDP-SENDTO:10.77.0.1:5351,bind=198.51.100.1"));
                assertThat(sent.exit()).as(sent.stderr()).isZero();
                Processes.Result page = Processes.run(
                        Duration.ofSeconds(30),
                        ns.exec(
                                curl,
                                "-sS",
                                "--interface",
                                "198.51.100.1",
                                "http://10.77.0.1:" + http + "/rootDesc.xml"));
                assertThat(page.exit())
                        .as("curl from the WAN side gets no description")
                        .isNotZero();
                assertThat(Processes.run(
                                        Duration.ofSeconds(30),
                                        ns.exec(curl, "-sS", "http://10.77.0.1:" + http + "/rootDesc.xml"))
                                .out())
                        .contains("InternetGatewayDevice:2");
                String token = Files.readString(dir.resolve("data").resolve("api-token"))
                        .strip();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                    String igd = Processes.run(
                                    Duration.ofSeconds(30),
                                    ns.exec(
                                            curl,
                                            "-sS",
                                            "-H",
                                            "Authorization: Bearer " + token,
                                            "http://127.0.0.1:" + console + "/api/v1/igd"))
                            .out();
                    return igd.contains("\"pmp.not-lan\":1") && igd.contains("\"upnp.not-lan\":1");
                });
            }
        }
    }
}
