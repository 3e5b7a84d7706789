package dev.portgate.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.RouterNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel data plane, end to end: portgate runs in a gateway namespace between an "internet" client
 * and a LAN server (namespaces the test makes), writes its nftables table there, and the test checks
 * what each side sees — addresses, bytes, refusals — and that the gateway process carried none of it.
 */
class KernelIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Duration SHORT = Duration.ofSeconds(3);

    private RouterNet net;
    private Path dir;
    private int console;

    @BeforeEach
    void makeHosts() throws Exception {
        Peers.require("socat");
        Peers.require("curl");
        Peers.require("conntrack");
        net = RouterNet.create();
        dir = Files.createTempDirectory("portgate-kernel");
        console = Net.freeTcpPort();
    }

    @AfterEach
    void removeHosts() {
        if (net != null) {
            net.close();
        }
    }

    /** The server's reply to a connection: the address it saw the connection come from. */
    private void serveThePeersAddress(int port) throws Exception {
        // Reads the first line (a PROXY header, or nothing before the client's end) before answering: a server that
        // closes with a header unread sends a reset, which can overtake its answer (seen once on a loaded CI run).
        net.start(
                net.server,
                "socat",
                "TCP-LISTEN:" + port + ",fork,reuseaddr",
                "SYSTEM:read -r line; echo seen $SOCAT_PEERADDR");
        awaitListening(net.server, port, "t");
    }

    private void awaitListening(String ns, int port, String kind) {
        await().atMost(LIMIT)
                .until(() -> net.exec(ns, "ss", "-Hln" + kind).out().contains(":" + port + " "));
    }

    /** What a TCP connection from {@code ns} to host:port reads, or null when it cannot connect within 3 s. */
    private String connect(String ns, String host, int port) throws Exception {
        String address = host.contains(":") ? "[" + host + "]" : host;
        Processes.Result r = net.exec(ns, "socat", "-T3", "-", "TCP:" + address + ":" + port + ",connect-timeout=3");
        return r.exit() == 0 ? r.out().strip() : null;
    }

    private JarProcess portgate(String config) throws Exception {
        JarProcess gw = net.portgate(dir, config, console);
        gw.awaitOutput("portgate started");
        return gw;
    }

    @Test
    void aKernelForwardKeepsTheClientsAddressAndTheGatewayCarriesNoneOfIt() throws Exception {
        serveThePeersAddress(80);
        net.start(net.server, "socat", "TCP6-LISTEN:86,fork,reuseaddr", "SYSTEM:echo seen $SOCAT_PEERADDR");
        awaitListening(net.server, 86, "t");
        net.start(net.server, "socat", "UDP-RECVFROM:27016,fork", "SYSTEM:echo seen $SOCAT_PEERADDR");
        awaitListening(net.server, 27016, "u");
        byte[] blob = new byte[6 * 1024 * 1024];
        new Random(15).nextBytes(blob);
        Path file = dir.resolve("blob");
        Files.write(file, blob);
        net.start(net.server, "socat", "TCP-LISTEN:9999,fork,reuseaddr", "SYSTEM:cat " + file);
        awaitListening(net.server, 9999, "t");
        JarProcess gw = portgate("kernel: { enabled: true }\n"
                + "forwards:\n"
                + "  - { name: web, listen: 0.0.0.0:8080, target: 10.91.1.2:80 }\n"
                + "  - { name: game, protocol: udp, listen: 0.0.0.0:27015-27017, target: 10.91.1.2:27015-27017 }\n"
                + "  - { name: file, listen: 10.91.2.1:9000, target: 10.91.1.2:9999 }\n"
                + "  - { name: web6, listen: '[::]:8086', target: '[fd91:1::2]:86' }\n"
                + "  - { name: proxied, listen: 0.0.0.0:8081, target: 10.91.1.2:80, proxy-protocol: v1 }\n");

        // TCP, IPv4: the server sees the client itself.
        assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8080)).isEqualTo("seen 10.91.2.2");
        // IPv6 too.
        assertThat(connect(net.client, RouterNet.GATEWAY_WAN6, 8086))
                .isEqualTo("seen [fd91:0002:0000:0000:0000:0000:0000:0002]");
        // UDP, one port of a range mapped one to one. -t3: after stdin ends socat waits only 0.5 s for the reply by
        // default, less than the forked server's shell takes on a loaded machine.
        Processes.Result udp =
                net.exec(net.client, "sh", "-c", "echo hi | socat -t3 -T3 - UDP:" + RouterNet.GATEWAY_WAN + ":27016");
        assertThat(udp.out().strip()).isEqualTo("seen 10.91.2.2");
        // Several megabytes through a forward whose external port differs from the internal one, intact.
        Path got = dir.resolve("got");
        Processes.Result pulled =
                net.exec(net.client, "socat", "-u", "TCP:" + RouterNet.GATEWAY_WAN + ":9000", "CREATE:" + got);
        assertThat(pulled.exit()).as(pulled.stderr()).isZero();
        assertThat(sha256(Files.readAllBytes(got))).isEqualTo(sha256(blob));
        // Reflection: a LAN device reaches the forward through the public address.
        assertThat(connect(net.lan2, RouterNet.GATEWAY_WAN, 8080)).startsWith("seen ");
        // The gateway itself reaches it too, on its own address and on loopback.
        assertThat(connect(net.gateway, RouterNet.GATEWAY_WAN, 8080)).startsWith("seen ");
        assertThat(connect(net.gateway, "127.0.0.1", 8080)).startsWith("seen ");
        // The PROXY-protocol forward is relayed: the server sees the gateway.
        assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8081)).contains("10.91.1.1");

        // The gateway process holds no socket for a kernel forward but on loopback (the relay answers there).
        String sockets = net.exec(net.gateway, "ss", "-Hlntu").out();
        for (String line : sockets.split("\n")) {
            if (line.contains(":8080 ") || line.contains(":27016 ") || line.contains(":8086 ")) {
                assertThat(line).as("a kernel forward's socket").containsAnyOf("127.0.0.1", "[::1]");
            }
            assertThat(line).doesNotContain(":9000 ");
        }
        assertThat(sockets).contains(":8081 ");

        // The API, the CLI and the table say which plane carries what, and why.
        String forwards = net.api(dir, console, "/api/v1/forwards");
        assertThat(forwards)
                .contains("\"name\":\"web\"")
                .contains("\"plane\":\"kernel\"")
                .contains("\"plane\":\"relay\",\"plane-reason\":\"proxy-protocol needs the relay\"");
        Processes.Result shown = portgateCommand(
                net.gateway, "kernel", "show", "--data", dir.resolve("data").toString());
        assertThat(shown.out())
                .contains("kernel data plane: on — table inet portgate, 4 forward(s)")
                .contains("tcp . 8080 : 10.91.1.2 . 80")
                .contains("udp . 27017 : 10.91.1.2 . 27017")
                .contains("10.91.2.1 . tcp . 9000 : 10.91.1.2 . 9999");

        // Counters come back from the kernel into the same figures the relay's forwards show.
        await().atMost(LIMIT).untilAsserted(() -> assertThat(forwardStats("file", "bytes-out"))
                .isGreaterThanOrEqualTo(blob.length));
        // The Connections page lists a live kernel flow with the client's real address.
        RouterNet.Held held = net.hold(net.client, RouterNet.GATEWAY_WAN, 9000);
        await().atMost(LIMIT).untilAsserted(() -> assertThat(net.api(dir, console, "/api/v1/connections"))
                .contains("\"forward\":\"file\",\"plane\":\"kernel\"")
                .contains("\"client\":\"10.91.2.2:"));
        assertThat(held).isNotNull();
        gw.close();
    }

    /** A short portgate command (a client of the API, a knock) run in a namespace. */
    private Processes.Result portgateCommand(String ns, String... args) throws Exception {
        return Processes.run(LIMIT, net.in(ns, JarProcess.command(args).toArray(String[]::new)));
    }

    private long forwardStats(String name, String field) throws Exception {
        String json = net.api(dir, console, "/api/v1/forwards/" + name);
        int at = json.indexOf("\"" + field + "\":");
        if (at < 0) {
            return -1;
        }
        int start = at + field.length() + 3;
        int end = start;
        while (end < json.length() && Character.isDigit(json.charAt(end))) {
            end++;
        }
        return Long.parseLong(json.substring(start, end));
    }

    @Test
    void allowDenyLimitsDoorsAndExpiryAreEnforcedInTheKernel() throws Exception {
        serveThePeersAddress(80);
        net.start(net.server, "socat", "TCP-LISTEN:7000,fork,reuseaddr", "EXEC:cat");
        awaitListening(net.server, 7000, "t");
        Path key = dir.resolve("knock.key");
        assertThat(JarProcess.run(dir, "knock-key", key.toString()).exit()).isZero();
        JarProcess gw = portgate("kernel: { enabled: true }\n"
                + "knock: { listen: 10.91.2.1:62201 }\n"
                + "forwards:\n"
                + "  - { name: allowed, listen: 0.0.0.0:8101, target: 10.91.1.2:80, allow: [ 10.91.2.0/24 ] }\n"
                + "  - { name: denied, listen: 0.0.0.0:8102, target: 10.91.1.2:80, deny: [ 10.91.2.2 ] }\n"
                + "  - { name: one, listen: 0.0.0.0:8103, target: 10.91.1.2:7000, max-connections: 1 }\n"
                + "  - { name: door, listen: 0.0.0.0:8104, target: 10.91.1.2:80, access: knock, knock-key: " + key
                + ", open-for: 5s }\n"
                + "  - { name: brief, listen: 0.0.0.0:8105, target: 10.91.1.2:80, expires: 8s }\n");
        assertThat(net.api(dir, console, "/api/v1/forwards/door")).contains("\"plane\":\"kernel\"");

        assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8101)).isEqualTo("seen 10.91.2.2");
        assertThat(connect(net.lan2, RouterNet.GATEWAY_LAN, 8101))
                .as("not in allow")
                .isNull();
        assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8102))
                .as("in deny")
                .isNull();
        assertThat(connect(net.lan2, RouterNet.GATEWAY_LAN, 8102)).startsWith("seen ");

        // max-connections: 1 — a second connection waits in vain while the first is open.
        RouterNet.Held first = net.hold(net.client, RouterNet.GATEWAY_WAN, 8103);
        assertThat(first.roundTrip("one", LIMIT)).isEqualTo("one");
        assertThat(net.exec(
                                net.client,
                                "sh",
                                "-c",
                                "echo two | socat -T3 - TCP:" + RouterNet.GATEWAY_WAN + ":8103,connect-timeout=3")
                        .out())
                .doesNotContain("two");

        // A knock opens the door in the kernel, for the knocker, until open-for runs out.
        assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8104))
                .as("closed before the knock")
                .isNull();
        Processes.Result knocked = portgateCommand(
                net.client, "knock", RouterNet.GATEWAY_WAN, "door", "--key-file", key.toString(), "--port", "62201");
        assertThat(knocked.exit()).as(knocked.stderr()).isZero();
        await().atMost(LIMIT).until(() -> "seen 10.91.2.2".equals(connect(net.client, RouterNet.GATEWAY_WAN, 8104)));
        assertThat(net.table("portgate"))
                .containsPattern("set door4 \\{[^}]*0x[0-9a-f]{8} \\. 10\\.91\\.2\\.2 timeout");
        assertThat(connect(net.lan2, RouterNet.GATEWAY_LAN, 8104))
                .as("open for the knocker only")
                .isNull();
        await().atMost(LIMIT).until(() -> connect(net.client, RouterNet.GATEWAY_WAN, 8104) == null);

        // expires: the forward goes, in the kernel too.
        await().atMost(LIMIT).until(() -> connect(net.client, RouterNet.GATEWAY_WAN, 8105) == null);
        assertThat(net.table("portgate")).doesNotContain(". 8105 :");
        gw.close();
    }

    @Test
    void deletingAForwardEndsItsFlowsAndOtherTablesAreLeftAlone() throws Exception {
        net.start(net.server, "socat", "TCP-LISTEN:7000,fork,reuseaddr", "EXEC:cat");
        awaitListening(net.server, 7000, "t");
        // Someone else's table: a forward chain that drops what it does not accept (it accepts DNAT'ed traffic).
        net.must(net.in(
                net.gateway,
                "nft",
                "add table inet mine; add chain inet mine keep { comment \"theirs\"; }; "
                        + "add chain inet mine fw { type filter hook forward priority 0; policy drop; }; "
                        + "add rule inet mine fw ct status dnat accept"));
        JarProcess gw = portgate("kernel: { enabled: true }\n");
        Processes.Result shown = portgateCommand(
                net.gateway, "kernel", "show", "--data", dir.resolve("data").toString());
        assertThat(shown.out()).contains("note: table inet mine, chain fw (hook forward, policy drop) drops");
        String made = net.api(
                dir,
                console,
                "POST",
                "/api/v1/forwards",
                "{\"name\":\"echo\",\"listen\":\"0.0.0.0:8200\",\"target\":\"10.91.1.2:7000\"}");
        assertThat(made).contains("\"plane\":\"kernel\"");
        RouterNet.Held held = net.hold(net.client, RouterNet.GATEWAY_WAN, 8200);
        assertThat(held.roundTrip("before", LIMIT)).isEqualTo("before");
        net.api(dir, console, "DELETE", "/api/v1/forwards/echo", null);
        // The established flow ends with its forward (conntrack entry deleted, no rule to take it up again), a
        // moment after the change: the entries are deleted off the change's path.
        await().atMost(LIMIT).until(() -> held.roundTrip("after", Duration.ofSeconds(1)) == null);
        assertThat(held.ended(LIMIT)).isTrue();
        assertThat(net.table("portgate")).doesNotContain(". 8200 :");
        assertThat(net.table("mine")).contains("comment \"theirs\"").contains("ct status dnat accept");
        gw.signal("TERM");
        assertThat(gw.awaitExit(LIMIT)).isEqualTo(143);
        assertThat(net.table("portgate")).as("removed on a clean stop").isEmpty();
        assertThat(net.table("mine")).contains("comment \"theirs\"");
    }

    @Test
    void restartsDropNoKernelForwardedConnection() throws Exception {
        net.start(net.server, "socat", "TCP-LISTEN:7000,fork,reuseaddr", "EXEC:cat");
        awaitListening(net.server, 7000, "t");
        String data = dir.resolve("data").toString();
        // A stale table of a crash, with a chain no forward has: replaced whole at start.
        net.must(net.in(
                net.gateway,
                "nft",
                "add table inet portgate { comment \"portgate " + data + "\"; }; add chain inet portgate stale"));
        String config = "kernel: { enabled: true, keep-on-stop: KEEP }\n"
                + "forwards:\n  - { name: echo, listen: 0.0.0.0:8300, target: 10.91.1.2:7000 }\n";
        JarProcess first = portgate(config.replace("KEEP", "false"));
        assertThat(net.table("portgate")).doesNotContain("chain stale").contains("tcp . 8300 : 10.91.1.2 . 7000");
        RouterNet.Held held = net.hold(net.client, RouterNet.GATEWAY_WAN, 8300);
        assertThat(held.roundTrip("1", LIMIT)).isEqualTo("1");

        // SIGKILL: the rules stay, the flow goes on while nothing runs, and the next start takes it over.
        first.signal("KILL");
        first.awaitExit(LIMIT);
        assertThat(held.roundTrip("2 while dead", LIMIT)).isEqualTo("2 while dead");
        JarProcess second = portgate(config.replace("KEEP", "true"));
        assertThat(held.roundTrip("3", LIMIT)).isEqualTo("3");
        assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8300))
                .as("new connections too")
                .isNotNull();

        // SIGTERM with keep-on-stop: the table stays, the flow goes on.
        second.signal("TERM");
        assertThat(second.awaitExit(LIMIT)).isEqualTo(143);
        assertThat(net.table("portgate")).contains("tcp . 8300");
        assertThat(held.roundTrip("4 after a clean stop", LIMIT)).isEqualTo("4 after a clean stop");
        JarProcess third = portgate(config.replace("KEEP", "false"));
        assertThat(held.roundTrip("5", LIMIT)).isEqualTo("5");

        // SIGTERM without it: nothing stays open.
        third.signal("TERM");
        assertThat(third.awaitExit(LIMIT)).isEqualTo(143);
        assertThat(net.table("portgate")).isEmpty();
        assertThat(held.roundTrip("6", SHORT)).isNull();
    }

    @Test
    void masqueradeFollowsTheTopologyAndAWrongSettingIsDiagnosed() throws Exception {
        serveThePeersAddress(80);
        net.serverBehindAnotherRouter();
        // The server's replies to the client go to a router that is not there: a DNAT alone cannot work.
        JarProcess gw = portgate("kernel: { enabled: true, masquerade: auto }\n"
                + "forwards:\n  - { name: web, listen: 0.0.0.0:8080, target: 10.91.1.2:80 }\n");
        for (int i = 0; i < 3; i++) {
            assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8080)).isNull();
        }
        RouterNet.Held waiting = net.hold(net.client, RouterNet.GATEWAY_WAN, 8080);
        await().atMost(LIMIT).untilAsserted(() -> assertThat(net.api(dir, console, "/api/v1/forwards/web"))
                .contains("replies do not come back through the gateway")
                .contains("set masquerade: always"));
        assertThat(gw.output()).contains("set masquerade: always");
        assertThat(waiting).isNotNull();
        gw.signal("TERM");
        gw.awaitExit(LIMIT);

        JarProcess always = portgate("kernel: { enabled: true, masquerade: always }\n"
                + "forwards:\n  - { name: web, listen: 0.0.0.0:8080, target: 10.91.1.2:80 }\n");
        assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8080)).isEqualTo("seen 10.91.1.1");
        always.close();
    }

    @Test
    void natPmpLeasesBecomeKernelRulesThatKeepTheDevicesClient() throws Exception {
        String natpmpc = Peers.require("natpmpc");
        serveThePeersAddress(8000);
        JarProcess gw = portgate("kernel: { enabled: true }\n"
                + "igd:\n  lan: [ 10.91.1.1 ]\n  external-address: 10.91.2.1\n  upnp: false\n");
        Processes.Result mapped = net.exec(net.server, natpmpc, "-g", "10.91.1.1", "-a", "8000", "8000", "tcp", "120");
        assertThat(mapped.out()).as(mapped.stderr()).contains("Mapped public port 8000");
        await().atMost(LIMIT)
                .untilAsserted(() -> assertThat(net.table("portgate")).contains("tcp . 8000 : 10.91.1.2 . 8000"));
        assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8000)).isEqualTo("seen 10.91.2.2");
        gw.close();
    }

    @Test
    void upnpMappingsBecomeKernelRulesToo() throws Exception {
        String upnpc = Peers.require("upnpc");
        serveThePeersAddress(8010);
        int http = 15000 + (int) (ProcessHandle.current().pid() % 1000);
        portgate("kernel: { enabled: true }\n"
                + "igd:\n  lan: [ 10.91.1.1 ]\n  external-address: 10.91.2.1\n  nat-pmp: false\n  pcp: false\n"
                + "  http-port: " + http + "\n");
        // -u: the description's address, without SSDP; -i: the external address is a private one.
        Processes.Result mapped = net.exec(
                net.server,
                upnpc,
                "-i",
                "-u",
                "http://10.91.1.1:" + http + "/rootDesc.xml",
                "-a",
                RouterNet.SERVER,
                "8010",
                "8010",
                "TCP");
        assertThat(mapped.out()).as(mapped.stderr()).contains("is redirected to internal 10.91.1.2:8010");
        await().atMost(LIMIT)
                .untilAsserted(() -> assertThat(net.table("portgate")).contains("tcp . 8010 : 10.91.1.2 . 8010"));
        assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8010)).isEqualTo("seen 10.91.2.2");
    }

    @Test
    void rateLimitsAndWanInterfacesAreKeptInTheKernel() throws Exception {
        serveThePeersAddress(80);
        portgate("kernel: { enabled: true, wan: [ " + net.wanInterface() + " ] }\n"
                + "forwards:\n"
                + "  - { name: slow, listen: 0.0.0.0:8401, target: 10.91.1.2:80, rate-limit: 2/m }\n"
                + "  - { name: outside, listen: 0.0.0.0:8402, target: 10.91.1.2:80 }\n");
        // rate-limit: 2 new connections a minute per source; the third within the minute is refused and counted.
        assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8401)).isEqualTo("seen 10.91.2.2");
        assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8401)).isEqualTo("seen 10.91.2.2");
        assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8401))
                .as("over the rate")
                .isNull();
        assertThat(connect(net.lan2, RouterNet.GATEWAY_WAN, 8401))
                .as("another source has its own rate")
                .isNotNull();
        await().atMost(LIMIT).untilAsserted(() -> assertThat(forwardStats("slow", "refused-denied"))
                .isGreaterThanOrEqualTo(1));
        // wan: the forward takes connections arriving on the WAN interface, and LAN ones to the WAN address
        // (reflection); a LAN device at the gateway's LAN address is not forwarded.
        assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8402)).isEqualTo("seen 10.91.2.2");
        assertThat(connect(net.lan2, RouterNet.GATEWAY_WAN, 8402)).startsWith("seen ");
        assertThat(connect(net.lan2, RouterNet.GATEWAY_LAN, 8402)).isNull();
    }

    @Test
    void withoutPrivilegesAutoFallsBackToTheRelayAndTrueRefusesToStart() throws Exception {
        serveThePeersAddress(80);
        String setpriv = Peers.require("setpriv");
        List<String> unprivileged = new ArrayList<>(net.prefix(net.gateway));
        unprivileged.addAll(List.of(setpriv, "--bounding-set=-net_admin", "--inh-caps=-net_admin"));
        Files.writeString(
                dir.resolve("portgate.yaml"),
                "forwards:\n  - { name: web, listen: 0.0.0.0:8080, target: 10.91.1.2:80 }\n");
        try (JarProcess gw = JarProcess.start(
                dir,
                Map.of("PORTGATE_KERNEL", "auto"),
                unprivileged,
                "serve",
                "--config",
                "portgate.yaml",
                "--data",
                "data",
                "--console",
                "127.0.0.1:" + console)) {
            gw.awaitOutput("portgate started");
            assertThat(gw.count("kernel data plane unavailable")).isEqualTo(1);
            assertThat(gw.output()).contains("not permitted to change nftables");
            assertThat(connect(net.client, RouterNet.GATEWAY_WAN, 8080)).isEqualTo("seen 10.91.1.1");
            assertThat(net.api(dir, console, "/api/v1/forwards/web"))
                    .contains("\"plane\":\"relay\",\"plane-reason\":\"kernel data plane unavailable — not permitted");
        }
        Files.writeString(
                dir.resolve("portgate.yaml"),
                "kernel: { enabled: true }\nforwards:\n  - { name: web, listen: 0.0.0.0:8080, target: 10.91.1.2:80 }\n");
        try (JarProcess refused = JarProcess.start(
                dir,
                Map.of(),
                unprivileged,
                "serve",
                "--config",
                "portgate.yaml",
                "--data",
                "data2",
                "--console",
                "off")) {
            assertThat(refused.awaitExit(LIMIT)).isNotZero();
            assertThat(refused.output())
                    .contains("kernel: enabled: true, but the kernel data plane cannot be used: not permitted");
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
