package dev.portgate.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three hosts in network namespaces the test makes: a LAN device, the gateway, a WAN host. The
 * gateway's nftables TPROXY (or REDIRECT) sends the device's outbound TCP to portgate's transparent
 * egress listener; connecting out to the trigger port opens the inbound port to the device, for open-for.
 */
class TransparentEgressIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    private final String suffix = String.valueOf(ProcessHandle.current().pid() % 100000);
    private final String lan = "pg-lan-" + suffix;
    private final String gw = "pg-gw-" + suffix;
    private final String wan = "pg-wan-" + suffix;
    private final List<Process> peers = new ArrayList<>();
    private String ip;
    private String socat;
    private String nft;

    private List<String> in(String ns, String... command) {
        List<String> out = new ArrayList<>(List.of(ip, "netns", "exec", ns));
        out.addAll(List.of(command));
        return out;
    }

    private void must(List<String> command) throws Exception {
        Processes.Result r = Processes.run(LIMIT, command);
        if (r.exit() != 0) {
            Peers.unavailable(
                    String.join(" ", command) + " failed: " + r.stderr().strip());
        }
    }

    @AfterEach
    void removeHosts() throws Exception {
        peers.forEach(Processes::stop);
        for (String ns : List.of(lan, gw, wan)) {
            Processes.run(LIMIT, List.of(ip, "netns", "del", ns));
        }
    }

    @Test
    void aLanDeviceReachingOutOpensTheInboundPortToItForAWhile() throws Exception {
        makeHosts();
        // TPROXY: the device's TCP goes to the local transparent listener, its destination kept.
        must(in(gw, ip, "rule", "add", "fwmark", "1", "lookup", "100"));
        must(in(gw, ip, "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "100"));
        must(in(
                gw,
                nft,
                "add table ip pg; add chain ip pg pre { type filter hook prerouting priority mangle; }; "
                        + "add rule ip pg pre iifname pgg" + suffix
                        + " ip protocol tcp tproxy to :12345 meta mark set 1 accept"));
        reachOutThenComeBackIn();
    }

    @Test
    void aRedirectedConnectionGoesWhereTheDeviceMeantAndTriggersToo() throws Exception {
        makeHosts();
        // REDIRECT (NAT): the listener reads the device's destination back from conntrack.
        must(in(
                gw,
                nft,
                "add table ip pgnat; add chain ip pgnat pre { type nat hook prerouting priority dstnat; }; "
                        + "add rule ip pgnat pre iifname pgg" + suffix + " ip protocol tcp redirect to :12345"));
        reachOutThenComeBackIn();
    }

    private void makeHosts() throws Exception {
        ip = Peers.require("ip");
        socat = Peers.require("socat");
        nft = Peers.require("nft");
        if (!"root".equals(System.getProperty("user.name"))) {
            Peers.unavailable("network namespaces need root");
        }
        for (String ns : List.of(lan, gw, wan)) {
            must(List.of(ip, "netns", "add", ns));
            must(in(ns, ip, "link", "set", "lo", "up"));
        }
        must(List.of(
                ip,
                "link",
                "add",
                "pgl" + suffix,
                "netns",
                lan,
                "type",
                "veth",
                "peer",
                "name",
                "pgg" + suffix,
                "netns",
                gw));
        must(List.of(
                ip,
                "link",
                "add",
                "pgw" + suffix,
                "netns",
                wan,
                "type",
                "veth",
                "peer",
                "name",
                "pgo" + suffix,
                "netns",
                gw));
        must(in(lan, ip, "addr", "add", "10.91.1.2/24", "dev", "pgl" + suffix));
        must(in(gw, ip, "addr", "add", "10.91.1.1/24", "dev", "pgg" + suffix));
        must(in(gw, ip, "addr", "add", "10.91.2.1/24", "dev", "pgo" + suffix));
        must(in(wan, ip, "addr", "add", "10.91.2.2/24", "dev", "pgw" + suffix));
        for (String[] link : new String[][] {{lan, "pgl"}, {gw, "pgg"}, {gw, "pgo"}, {wan, "pgw"}}) {
            must(in(link[0], ip, "link", "set", link[1] + suffix, "up"));
        }
        must(in(lan, ip, "route", "add", "default", "via", "10.91.1.1"));
    }

    private void reachOutThenComeBackIn() throws Exception {
        int trigger = 16667;
        int opened = 16113;
        peers.add(Processes.start(
                in(wan, socat, "TCP-LISTEN:" + trigger + ",bind=10.91.2.2,fork,reuseaddr", "EXEC:cat")));
        peers.add(Processes.start(
                in(lan, socat, "TCP-LISTEN:" + opened + ",bind=10.91.1.2,fork,reuseaddr", "SYSTEM:echo lan-device")));
        Path dir = Files.createTempDirectory("portgate-egress");
        Files.writeString(
                dir.resolve("portgate.yaml"),
                "egress: { transparent: 0.0.0.0:12345 }\ntriggers:\n  - name: irc\n" + "    trigger: tcp/" + trigger
                        + "\n    open: [ tcp/" + opened + " ]\n    open-for: 3s\n    listen-address: 10.91.2.1\n");
        try (JarProcess portgate = JarProcess.start(
                dir,
                Map.of(),
                List.of(ip, "netns", "exec", gw),
                "serve",
                "--config",
                "portgate.yaml",
                "--data",
                "data",
                "--console",
                "127.0.0.1:17080")) {
            portgate.awaitOutput("transparent egress on");
            assertThat(fromWan(opened)).as("closed before the trigger").isEmpty();

            Processes.Result out =
                    Processes.run(LIMIT, in(lan, "sh", "-c", "echo hi | " + socat + " -T5 - TCP:10.91.2.2:" + trigger));
            assertThat(out.out())
                    .as("the device reached the WAN host through the egress listener: " + out.stderr())
                    .isEqualTo("hi\n");
            await().atMost(LIMIT).until(() -> fromWan(opened).equals("lan-device\n"));
            portgate.awaitOutput("trigger \"irc\": 10.91.1.2 opened");
            await().atMost(LIMIT).until(() -> fromWan(opened).isEmpty());

            // While a device's connection is open, the console's Connections list shows it as egress traffic.
            Process held = Processes.start(in(lan, "sh", "-c", "sleep 20 | " + socat + " - TCP:10.91.2.2:" + trigger));
            peers.add(held);
            String token =
                    Files.readString(dir.resolve("data").resolve("api-token")).strip();
            await().atMost(LIMIT).until(() -> Processes.run(
                            LIMIT,
                            in(
                                    gw,
                                    Peers.require("curl"),
                                    "-s",
                                    "-H",
                                    "Authorization: Bearer " + token,
                                    "http://127.0.0.1:17080/api/v1/connections"))
                    .out()
                    .matches(
                            "(?s).*\"forward\":\"egress\",\"protocol\":\"tcp\",\"client\":\"10\\.91\\.1\\.2:\\d+\",\"target\":\"10\\.91\\.2\\.2:"
                                    + trigger + "\".*"));
            held.descendants().forEach(ProcessHandle::destroy);
            held.destroy();
        }
    }

    private String fromWan(int port) throws Exception {
        return Processes.run(LIMIT, in(wan, socat, "-T3", "-u", "TCP:10.91.2.1:" + port + ",connect-timeout=3", "-"))
                .out();
    }
}
