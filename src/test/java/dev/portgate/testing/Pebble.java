package dev.portgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * Pebble, the ACME test CA, with pebble-challtestsrv as its DNS (every name is 127.0.0.1 unless told otherwise, so
 * nothing is ever looked up outside), validating http-01 against the gateway's plain port. Its own HTTPS uses a
 * certificate from a {@link TestCa}; the certificates it issues chain to a root made at each start.
 */
public final class Pebble implements AutoCloseable {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    private final Path dir;
    private final Process dns;
    private final Process ca;
    private final int acmePort;
    private final int managementPort;
    private final int dnsManagementPort;

    private Pebble(Path dir, Process dns, Process ca, int acmePort, int managementPort, int dnsManagementPort) {
        this.dir = dir;
        this.dns = dns;
        this.ca = ca;
        this.acmePort = acmePort;
        this.managementPort = managementPort;
        this.dnsManagementPort = dnsManagementPort;
    }

    /** Starts both in {@code dir}; the CA validates http-01 on {@code httpPort}; certificates last {@code validity}. */
    public static Pebble start(Path dir, int httpPort, Duration validity) throws Exception {
        return start(dir, httpPort, Net.freeTcpPort(), validity);
    }

    /** What a CA's tls-alpn-01 check gets from {@code address:port} for {@code name}: openssl's report of it. */
    public static String acmeTlsHello(String address, int port, String name) throws Exception {
        return Processes.run(
                        LIMIT,
                        List.of(
                                Peers.require("openssl"),
                                "s_client",
                                "-connect",
                                address + ":" + port,
                                "-servername",
                                name,
                                "-alpn",
                                "acme-tls/1"))
                .out();
    }

    /** The same, and the CA validates tls-alpn-01 on {@code tlsPort}. */
    public static Pebble start(Path dir, int httpPort, int tlsPort, Duration validity) throws Exception {
        String pebble = Peers.require("pebble");
        String challtestsrv = Peers.require("pebble-challtestsrv");
        TestCa own = TestCa.in(dir);
        own.issue("pebble", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        int dnsPort = Net.freeTcpPort();
        int dnsManagement = Net.freeTcpPort();
        int acme = Net.freeTcpPort();
        int management = Net.freeTcpPort();
        Files.writeString(
                dir.resolve("pebble.json"),
                "{\"pebble\": {\"listenAddress\": \"127.0.0.1:" + acme + "\", \"managementListenAddress\": \"127.0.0.1:"
                        + management + "\", \"certificate\": \"pebble.pem\", \"privateKey\": \"pebble.key\","
                        + " \"httpPort\": " + httpPort + ", \"tlsPort\": " + tlsPort
                        + ", \"ocspResponderURL\": \"\", \"externalAccountBindingRequired\": false,"
                        + " \"certificateValidityPeriod\": " + validity.toSeconds() + "}}\n");
        Process dns = new ProcessBuilder(
                        challtestsrv,
                        "-dns01",
                        "127.0.0.1:" + dnsPort,
                        "-http01",
                        "",
                        "-https01",
                        "",
                        "-tlsalpn01",
                        "",
                        "-management",
                        "127.0.0.1:" + dnsManagement,
                        "-defaultIPv4",
                        "127.0.0.1",
                        "-defaultIPv6",
                        "")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("challtestsrv.log").toFile())
                .start();
        ProcessBuilder b = new ProcessBuilder(pebble, "-config", "pebble.json", "-dnsserver", "127.0.0.1:" + dnsPort)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("pebble.log").toFile());
        // No random sleeps before validating, no random nonce refusals: the test waits for the CA, not for chance.
        b.environment().putAll(Map.of("PEBBLE_VA_NOSLEEP", "1", "PEBBLE_WFE_NONCEREJECT", "0"));
        Process ca = b.start();
        Pebble p = new Pebble(dir, dns, ca, acme, management, dnsManagement);
        try {
            Awaitility.await()
                    .atMost(LIMIT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> p.curl("--cacert", p.trust().toString(), p.directory())
                                    .exit()
                            == 0);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** The ACME directory URL. */
    public String directory() {
        return "https://127.0.0.1:" + acmePort + "/dir";
    }

    /** The CA of Pebble's own HTTPS (the config's {@code acme: trust:}). */
    public Path trust() {
        return dir.resolve("ca.pem");
    }

    /** The root the issued certificates chain to (fetched once; Pebble makes a new one at each start). */
    public Path root() throws Exception {
        Path root = dir.resolve("pebble-root.pem");
        if (!Files.exists(root)) {
            Processes.Result r = curl(
                    "--cacert",
                    trust().toString(),
                    "-o",
                    root.toString(),
                    "https://127.0.0.1:" + managementPort + "/roots/0");
            assertThat(r.exit()).as(r.stderr()).isZero();
        }
        return root;
    }

    /** Makes the DNS answer {@code address} for {@code name}: an address where the gateway does not listen fails http-01. */
    public void resolve(String name, String address) throws Exception {
        Processes.Result r = curl(
                "-X",
                "POST",
                "-d",
                "{\"host\":\"" + name + ".\",\"addresses\":[\"" + address + "\"]}",
                "http://127.0.0.1:" + dnsManagementPort + "/add-a");
        assertThat(r.exit()).as(r.stderr()).isZero();
    }

    /** Pebble's log, for messages when a test fails. */
    public String log() throws Exception {
        return Files.readString(dir.resolve("pebble.log"));
    }

    private Processes.Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("curl"), "-sS", "--max-time", "10"));
        cmd.addAll(List.of(args));
        return Processes.run(LIMIT, cmd);
    }

    @Override
    public void close() {
        Processes.stop(ca);
        Processes.stop(dns);
    }
}
