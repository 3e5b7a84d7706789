package dev.portgate.igd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Protocol;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.testing.Echo;
import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TcpPeers;
import dev.portgate.testing.TestGateway;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The IGD services against real clients: miniupnpc's upnpc, libnatpmp's natpmpc, and a PCP client of the test's own. */
class IgdIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final String IP = "urn:schemas-upnp-org:service:WANIPConnection:2";

    private static String igd(int httpPort, String extra) {
        return "igd:\n  lan: [ 127.0.0.1 ]\n  external-address: 203.0.113.7\n  listen: 127.0.0.1\n  http-port: "
                + httpPort + "\n" + extra;
    }

    private static Processes.Result upnpc(String url, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("upnpc"), "-u", url));
        cmd.addAll(List.of(args));
        return Processes.run(LIMIT, cmd);
    }

    private static Processes.Result natpmpc(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("natpmpc"), "-g", "127.0.0.1"));
        cmd.addAll(List.of(args));
        return Processes.run(LIMIT, cmd);
    }

    private static void assertRefused(int port) {
        assertThatThrownBy(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
                    }
                })
                .hasMessageContaining("refused");
    }

    @Test
    void upnpcMapsListsAndDeletesAndTheMappingCarriesTraffic() throws Exception {
        int http = Net.freeTcpPort();
        int configured = Net.freeTcpPort();
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo);
                TestGateway gw = new TestGateway(
                        "forwards:\n  - name: configured\n    listen: 127.0.0.1:" + configured
                                + "\n    target: 127.0.0.1:" + echo.port() + "\n"
                                + igd(
                                        http,
                                        "  nat-pmp: false\n  pcp: false\n  permissions:\n"
                                                + "    - deny 1024-65535 127.0.0.0/8 22\n    - allow 1024-65535 127.0.0.0/8 1024-65535\n"))) {
            String url = "http://127.0.0.1:" + http + "/rootDesc.xml";
            String status = upnpc(url, "-s").out();
            assertThat(status)
                    .contains("Connection Type : IP_Routed")
                    .contains("ExternalIPAddress = 203.0.113.7")
                    .containsPattern("Bytes:\\s+Sent:\\s+\\d+");

            int ext = Net.freeTcpPort();
            String added = upnpc(
                            url,
                            "-e",
                            "echo lease",
                            "-a",
                            "127.0.0.1",
                            String.valueOf(echo.port()),
                            String.valueOf(ext),
                            "TCP",
                            "600")
                    .out();
            assertThat(added)
                    .contains(
                            "external 203.0.113.7:" + ext + " TCP is redirected to internal 127.0.0.1:" + echo.port());
            Echo.assertEchoes(ext);
            var lease =
                    gw.gateway().rules().get(Lease.nameFor(Protocol.TCP, ext)).orElseThrow();
            assertThat(lease.origin()).isEqualTo(new Origin(Origin.Kind.UPNP, "127.0.0.1"));
            assertThat(Duration.between(Instant.now(), lease.limits().expires()).toSeconds())
                    .isBetween(590L, 600L);

            assertThat(upnpc(url, "-l").out()).contains("TCP " + ext + "->127.0.0.1:" + echo.port() + " 'echo lease'");
            assertThat(upnpc(url, "-L").out()).contains("TCP " + ext + "->127.0.0.1:" + echo.port() + " 'echo lease'");

            // Secure mode: 127.0.0.1 may not map a port to 127.0.0.2. A permission line refuses port 22.
            int other = Net.freeTcpPort();
            assertThat(upnpc(url, "-a", "127.0.0.2", "5000", String.valueOf(other), "TCP")
                            .out())
                    .contains("failed with code 606");
            assertThat(upnpc(url, "-a", "127.0.0.1", "22", String.valueOf(other), "TCP")
                            .out())
                    .contains("failed with code 606");
            // The configured forward wins: no lease on its port, and it still carries traffic.
            assertThat(upnpc(url, "-a", "127.0.0.1", String.valueOf(echo.port()), String.valueOf(configured), "TCP")
                            .out())
                    .contains("failed with code 718");
            assertThat(gw.status("configured").state()).isEqualTo(ForwardStatus.State.LISTENING);
            Echo.assertEchoes(configured);
            // AddAnyPortMapping on the configured forward's port is given another one.
            String any = upnpc(
                            url,
                            "-n",
                            "127.0.0.1",
                            String.valueOf(echo.port()),
                            String.valueOf(configured),
                            "TCP",
                            "600")
                    .out();
            Matcher m = Pattern.compile("external 203\\.0\\.113\\.7:(\\d+) TCP is redirected")
                    .matcher(any);
            assertThat(m.find()).as(any).isTrue();
            int reserved = Integer.parseInt(m.group(1));
            assertThat(reserved).isNotEqualTo(configured);
            Echo.assertEchoes(reserved);

            assertThat(upnpc(url, "-d", String.valueOf(ext), "TCP").out())
                    .contains("UPNP_DeletePortMapping() returned : 0");
            assertRefused(ext);
            assertThat(upnpc(url, "-d", String.valueOf(ext), "TCP").out()).contains("failed with code : 714");
            assertThat(upnpc(url, "-N", "1024", "65535", "TCP").out())
                    .contains("UPNP_DeletePortMappingRange() returned : 0");
            assertRefused(reserved);
            assertThat(upnpc(url, "-l").out()).contains("GetGenericPortMappingEntry() returned 713");
            assertThat(upnpc(url, "-N", "1024", "65535", "TCP").out()).contains("failed with code : 730");
            assertThat(gw.gateway().rules().forwards())
                    .extracting(f -> f.name())
                    .containsExactly("configured");
        }
    }

    @Test
    void natpmpcGetsTheAddressMapsWithClampedLifetimesAndDeletes() throws Exception {
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo);
                TestGateway gw =
                        new TestGateway(igd(Net.freeTcpPort(), "  upnp: false\n  lease: { min: 120s, max: 1h }\n"))) {
            assertThat(natpmpc().out()).contains("Public IP address : 203.0.113.7");
            int ext = Net.freeTcpPort();
            assertThat(natpmpc("-a", String.valueOf(ext), String.valueOf(echo.port()), "tcp", "30")
                            .out())
                    .contains("Mapped public port " + ext + " protocol TCP to local port " + echo.port()
                            + " liftime 120");
            Echo.assertEchoes(ext);
            int ext2 = Net.freeTcpPort();
            assertThat(natpmpc("-a", String.valueOf(ext2), "40000", "tcp", "99999")
                            .out())
                    .contains("Mapped public port " + ext2 + " protocol TCP to local port 40000 liftime 3600");
            int udp = Net.freeUdpPort();
            assertThat(natpmpc("-a", String.valueOf(udp), "40001", "udp", "600").out())
                    .contains("protocol UDP to local port 40001 liftime 600");
            assertThat(gw.gateway().igd().leases().list()).hasSize(3);

            // Renewal keeps the port; one mapping deleted by its internal port; lifetime 0 with port 0 deletes all TCP
            // ones.
            assertThat(natpmpc("-a", String.valueOf(Net.freeTcpPort()), String.valueOf(echo.port()), "tcp", "600")
                            .out())
                    .contains("Mapped public port " + ext + " protocol TCP");
            assertThat(natpmpc("-a", "0", "40000", "tcp", "0").out()).contains("liftime 0");
            assertThat(gw.gateway().igd().leases().get(Protocol.TCP, ext2)).isEmpty();
            assertThat(natpmpc("-a", "0", "0", "tcp", "0").out()).contains("liftime 0");
            assertRefused(ext);
            assertThat(gw.gateway().igd().leases().list())
                    .extracting(Lease::protocol)
                    .containsExactly(Protocol.UDP);
        }
    }

    @Test
    void pcpMapsByNonceAndAnswersEveryMistakeWithItsResultCode() throws Exception {
        SecureRandom random = new SecureRandom();
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        byte[] otherNonce = new byte[12];
        random.nextBytes(otherNonce);
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo);
                TestGateway gw =
                        new TestGateway(igd(Net.freeTcpPort(), "  upnp: false\n  lease: { min: 120s, max: 1h }\n"));
                PcpTestClient pcp = new PcpTestClient(5351)) {
            int ext = Net.freeTcpPort();
            PcpTestClient.Answer a =
                    pcp.ask(PcpTestClient.map(nonce, 6, echo.port(), ext, 60, "127.0.0.1", new byte[0]));
            assertThat(a.result()).isEqualTo(0);
            assertThat(a.opcode()).isEqualTo(0x81);
            assertThat(a.externalPort()).isEqualTo(ext);
            assertThat(a.lifetime()).isEqualTo(120);
            assertThat(a.externalAddress().getHostAddress()).isEqualTo("203.0.113.7");
            Echo.assertEchoes(ext);

            // Another nonce may neither take over nor delete it.
            assertThat(pcp.ask(PcpTestClient.map(otherNonce, 6, echo.port(), ext, 60, "127.0.0.1", new byte[0]))
                            .result())
                    .isEqualTo(2);
            assertThat(pcp.ask(PcpTestClient.map(otherNonce, 6, echo.port(), ext, 0, "127.0.0.1", new byte[0]))
                            .result())
                    .isEqualTo(2);
            Echo.assertEchoes(ext);
            // Each mistake gets its RFC 6887 result code.
            assertThat(pcp.ask(PcpTestClient.map(nonce, 6, 4000, 0, 60, "127.0.0.9", new byte[0]))
                            .result())
                    .as("ADDRESS_MISMATCH")
                    .isEqualTo(12);
            byte[] shortPacket = new byte[10];
            shortPacket[0] = 2;
            assertThat(pcp.ask(shortPacket).result()).as("short packet").isEqualTo(3);
            byte[] v1 = PcpTestClient.announce();
            v1[0] = 1;
            PcpTestClient.Answer unsupported = pcp.ask(v1);
            assertThat(unsupported.result()).as("UNSUPP_VERSION").isEqualTo(1);
            assertThat(unsupported.version()).isEqualTo(2);
            byte[] peer = PcpTestClient.map(nonce, 6, 4000, 0, 60, "127.0.0.1", new byte[0]);
            peer[1] = 2;
            assertThat(pcp.ask(peer).result()).as("UNSUPP_OPCODE").isEqualTo(4);
            assertThat(pcp.ask(Arrays.copyOf(PcpTestClient.map(nonce, 6, 4000, 0, 60, "127.0.0.1", new byte[0]), 61))
                            .result())
                    .as("length not a multiple of 4")
                    .isEqualTo(3);
            assertThat(pcp.ask(PcpTestClient.map(nonce, 6, 4000, 0, 60, "127.0.0.1", new byte[] {99, 0, 0, 0}))
                            .result())
                    .as("unknown mandatory option")
                    .isEqualTo(5);
            byte[] thirdParty = new byte[20];
            thirdParty[0] = 1;
            thirdParty[3] = 16;
            System.arraycopy(PcpTestClient.mapped("127.0.0.5"), 0, thirdParty, 4, 16);
            assertThat(pcp.ask(PcpTestClient.map(nonce, 6, 4000, 0, 60, "127.0.0.1", thirdParty))
                            .result())
                    .as("THIRD_PARTY")
                    .isEqualTo(5);
            assertThat(pcp.ask(PcpTestClient.map(nonce, 1, 4000, 0, 60, "127.0.0.1", new byte[0]))
                            .result())
                    .as("UNSUPP_PROTOCOL")
                    .isEqualTo(9);
            assertThat(pcp.ask(Arrays.copyOf(PcpTestClient.map(nonce, 6, 4000, 0, 60, "127.0.0.1", new byte[0]), 40))
                            .result())
                    .as("truncated MAP")
                    .isEqualTo(3);
            // A response (R bit) and a 1-byte packet get no answer: the next answer is the ANNOUNCE's.
            byte[] response = PcpTestClient.announce();
            response[1] = (byte) 0x80;
            pcp.sendOnly(response);
            pcp.sendOnly(new byte[] {2});
            PcpTestClient.Answer announce = pcp.ask(PcpTestClient.announce());
            assertThat(announce.opcode()).isEqualTo(0x80);
            assertThat(announce.result()).isEqualTo(0);
            assertThat(gw.gateway().igd().stats().get("pcp", "malformed")).isGreaterThanOrEqualTo(4);

            // Nothing above touched the mapping; its own nonce deletes it.
            Echo.assertEchoes(ext);
            assertThat(pcp.ask(PcpTestClient.map(nonce, 6, echo.port(), ext, 0, "127.0.0.1", new byte[0]))
                            .result())
                    .isEqualTo(0);
            assertRefused(ext);
            assertThat(gw.gateway().igd().leases().list()).isEmpty();
        }
    }

    @Test
    void badSoapIsAnsweredWithItsErrorCodeAndChangesNothing() throws Exception {
        int http = Net.freeTcpPort();
        try (TestGateway gw = new TestGateway(igd(http, "  nat-pmp: false\n  pcp: false\n"))) {
            String url = "http://127.0.0.1:" + http + "/rootDesc.xml";
            int kept = Net.freeTcpPort();
            assertThat(upnpc(url, "-a", "127.0.0.1", "40000", String.valueOf(kept), "TCP")
                            .out())
                    .contains("is redirected");
            HttpClient http1 = HttpClient.newHttpClient();
            URI control = URI.create("http://127.0.0.1:" + http + "/ctl/IPConn");
            String bomb =
                    "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                            + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
                            + envelope("GetExternalIPAddress", "<x>&lol3;</x>");
            String xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                    + envelope("GetGenericPortMappingEntry", "<NewPortMappingIndex>&e;</NewPortMappingIndex>");
            assertFault(http1, control, "GetExternalIPAddress", bomb, 402);
            assertFault(http1, control, "GetGenericPortMappingEntry", xxe, 402);
            assertFault(http1, control, "GetGenericPortMappingEntry", "<not xml", 402);
            assertFault(http1, control, "FormatHardDisk", envelope("FormatHardDisk", ""), 401);
            assertFault(
                    http1,
                    control,
                    "AddPortMapping",
                    envelope(
                            "AddPortMapping", "<NewRemoteHost></NewRemoteHost><NewExternalPort>6000</NewExternalPort>"),
                    402);
            assertFault(http1, control, "AddPortMapping", envelope("AddPortMapping", addArgs("70000", "TCP")), 402);
            assertFault(http1, control, "AddPortMapping", envelope("AddPortMapping", addArgs("6000", "SCTP")), 402);
            assertFault(http1, control, "AddPortMapping", envelope("AddPortMapping", addArgs("0", "TCP")), 716);
            assertFault(
                    http1,
                    control,
                    "GetGenericPortMappingEntry",
                    envelope("GetGenericPortMappingEntry", "<NewPortMappingIndex>99</NewPortMappingIndex>"),
                    713);
            assertFault(
                    http1,
                    control,
                    "DeletePortMappingRange",
                    envelope(
                            "DeletePortMappingRange",
                            "<NewStartPort>9000</NewStartPort><NewEndPort>8000</NewEndPort><NewProtocol>TCP</NewProtocol><NewManage>0</NewManage>"),
                    733);
            HttpResponse<String> big = http1.send(
                    HttpRequest.newBuilder(control)
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    envelope("GetExternalIPAddress", "x".repeat(20_000))))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(big.statusCode()).isEqualTo(413);
            // The one real lease is still there and the service still answers.
            assertThat(gw.gateway().igd().leases().list())
                    .extracting(Lease::externalPort)
                    .containsExactly(kept);
            assertThat(upnpc(url, "-l").out()).contains("TCP " + kept + "->127.0.0.1:40000");
            // Counted: three unparsable bodies, the unknown action, three bad arguments.
            assertThat(gw.gateway().igd().stats().get("upnp", "malformed")).isEqualTo(7);
        }
    }

    private static String addArgs(String port, String protocol) {
        return "<NewRemoteHost></NewRemoteHost><NewExternalPort>" + port + "</NewExternalPort><NewProtocol>" + protocol
                + "</NewProtocol>"
                + "<NewInternalPort>6000</NewInternalPort><NewInternalClient>127.0.0.1</NewInternalClient><NewEnabled>1</NewEnabled>"
                + "<NewPortMappingDescription>x</NewPortMappingDescription><NewLeaseDuration>0</NewLeaseDuration>";
    }

    static String envelope(String action, String args) {
        return "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><u:" + action + " xmlns:u=\""
                + IP + "\">" + args + "</u:" + action + "></s:Body></s:Envelope>";
    }

    private static void assertFault(HttpClient client, URI control, String action, String body, int code)
            throws Exception {
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(control)
                        .header("SOAPAction", "\"" + IP + "#" + action + "\"")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(action + ": " + r.body()).isEqualTo(500);
        assertThat(r.body()).as(action).contains("<errorCode>" + code + "</errorCode>");
    }

    @Test
    void eventsGoOnlyToTheSubscribersOwnAddress() throws Exception {
        int http = Net.freeTcpPort();
        HttpServer callback = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> events = new CopyOnWriteArrayList<>();
        callback.createContext("/events", ex -> {
            events.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("SID") + " "
                    + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        callback.start();
        try (TestGateway gw = new TestGateway(igd(http, "  nat-pmp: false\n  pcp: false\n"))) {
            HttpClient client = HttpClient.newHttpClient();
            URI events1 = URI.create("http://127.0.0.1:" + http + "/evt/IPConn");
            HttpResponse<String> stranger = client.send(
                    HttpRequest.newBuilder(events1)
                            .method("SUBSCRIBE", HttpRequest.BodyPublishers.noBody())
                            .header(
                                    "CALLBACK",
                                    "<http://127.0.0.2:" + callback.getAddress().getPort() + "/events>")
                            .header("NT", "upnp:event")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stranger.statusCode()).isEqualTo(412);
            HttpResponse<String> own = client.send(
                    HttpRequest.newBuilder(events1)
                            .method("SUBSCRIBE", HttpRequest.BodyPublishers.noBody())
                            .header(
                                    "CALLBACK",
                                    "<http://127.0.0.1:" + callback.getAddress().getPort() + "/events>")
                            .header("NT", "upnp:event")
                            .header("TIMEOUT", "Second-300")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(own.statusCode()).isEqualTo(200);
            String sid = own.headers().firstValue("SID").orElseThrow();
            assertThat(own.headers().firstValue("TIMEOUT")).contains("Second-300");
            await().atMost(LIMIT).until(() -> events.stream()
                    .anyMatch(e -> e.startsWith("NOTIFY " + sid)
                            && e.contains("<PortMappingNumberOfEntries>0</PortMappingNumberOfEntries>")));
            upnpc(
                    "http://127.0.0.1:" + http + "/rootDesc.xml",
                    "-a",
                    "127.0.0.1",
                    "40000",
                    String.valueOf(Net.freeTcpPort()),
                    "TCP");
            await().atMost(LIMIT).until(() -> events.stream()
                    .anyMatch(e -> e.contains("<PortMappingNumberOfEntries>1</PortMappingNumberOfEntries>")));
            HttpResponse<String> gone = client.send(
                    HttpRequest.newBuilder(events1)
                            .method("UNSUBSCRIBE", HttpRequest.BodyPublishers.noBody())
                            .header("SID", sid)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(gone.statusCode()).isEqualTo(200);
            assertThat(gw.gateway().igd().stats().get("upnp", "callback-refused"))
                    .isEqualTo(1);
        } finally {
            callback.stop(0);
        }
    }

    @Test
    void leasesSurviveARestartWithTheirRemainingTimeAndExpire() throws Exception {
        Path dir = Files.createTempDirectory("portgate-igd");
        int http = Net.freeTcpPort();
        int ext = Net.freeTcpPort();
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo)) {
            Instant expires;
            try (TestGateway gw = new TestGateway(igd(http, "  upnp: false\n  lease: { min: 1h, max: 1h }\n"), dir)) {
                assertThat(natpmpc("-a", String.valueOf(ext), String.valueOf(echo.port()), "tcp", "3600")
                                .out())
                        .contains("liftime 3600");
                expires = gw.gateway()
                        .igd()
                        .leases()
                        .get(Protocol.TCP, ext)
                        .orElseThrow()
                        .expires();
            }
            assertRefused(ext);
            try (TestGateway again =
                    new TestGateway(igd(http, "  upnp: false\n  lease: { min: 1h, max: 1h }\n"), dir)) {
                Optional<Lease> back = again.gateway().igd().leases().get(Protocol.TCP, ext);
                assertThat(back).isPresent();
                assertThat(back.get().expires()).isEqualTo(expires);
                assertThat(back.get().via()).isEqualTo(Origin.Kind.NATPMP);
                Echo.assertEchoes(ext);
            }
        }
        try (TestGateway gw =
                new TestGateway(igd(Net.freeTcpPort(), "  upnp: false\n  lease: { min: 2s, max: 2s }\n"))) {
            int shortLived = Net.freeTcpPort();
            assertThat(natpmpc("-a", String.valueOf(shortLived), "40000", "tcp", "600")
                            .out())
                    .contains("liftime 2");
            assertThat(gw.gateway().igd().leases().list()).hasSize(1);
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> gw.gateway().igd().leases().list().isEmpty());
            assertRefused(shortLived);
        }
    }
}
