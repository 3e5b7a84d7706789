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
import org.junit.jupiter.api.Test;

/** SSDP for real: upnpc finds the gateway by multicast, with no URL given, in a namespace of the test's own. */
class SsdpIT {

    @Test
    void upnpcDiscoversTheGatewayAndMapsThroughIt() throws Exception {
        String upnpc = Peers.require("upnpc");
        Path dir = Files.createTempDirectory("portgate-ssdp");
        int http = Net.freeTcpPort();
        Files.writeString(dir.resolve("portgate.yaml"), "igd:\n  lan: [ 127.0.0.1 ]\n  external-address: 203.0.113.7\n"
                + "  listen: 127.0.0.1\n  http-port: " + http + "\n  nat-pmp: false\n  pcp: false\n");
        try (Netns ns = Netns.withMulticastLoopback("pg-ssdp");
             JarProcess gw = JarProcess.start(dir, Map.of(), ns.prefix(), "serve", "--config", "portgate.yaml", "--data", "data", "--console", "off")) {
            gw.awaitOutput("SSDP on");
            // -i: upnpc calls an IGD whose external address is a reserved one (203.0.113.7) "not connected".
            Processes.Result found = Processes.run(Duration.ofSeconds(30), ns.exec(upnpc, "-i", "-m", "lo", "-a", "127.0.0.1", "40000", "41000", "TCP"));
            assertThat(found.out()).contains("desc: http://127.0.0.1:" + http + "/rootDesc.xml")
                    .contains("st: urn:schemas-upnp-org:device:InternetGatewayDevice:1")
                    .contains("external 203.0.113.7:41000 TCP is redirected to internal 127.0.0.1:40000");
            gw.awaitOutput("forward \"lease-tcp-41000\" added");
        }
    }
}
