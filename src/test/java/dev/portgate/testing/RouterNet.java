package dev.portgate.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Four hosts in network namespaces the test makes (and removes, also when it fails), none with a route
 * out of the machine: a client on the "internet" side, the gateway, a server on the LAN and a second
 * LAN device. IPv4 and IPv6 on both links.
 *
 * <pre>
 *   client 10.91.2.2 / fd91:2::2 ── wan ── 10.91.2.1 / fd91:2::1  gateway  10.91.1.1 / fd91:1::1 ── lan ──┬ server 10.91.1.2 / fd91:1::2
 *                                                                                                         └ lan2   10.91.1.3 / fd91:1::3
 * </pre>
 *
 * The LAN hosts route through the gateway unless {@link #serverBehindAnotherRouter} says otherwise.
 */
public final class RouterNet implements AutoCloseable {

    public static final String CLIENT = "10.91.2.2";
    public static final String GATEWAY_WAN = "10.91.2.1";
    public static final String GATEWAY_LAN = "10.91.1.1";
    public static final String SERVER = "10.91.1.2";
    public static final String LAN2 = "10.91.1.3";
    public static final String CLIENT6 = "fd91:2::2";
    public static final String GATEWAY_WAN6 = "fd91:2::1";
    public static final String SERVER6 = "fd91:1::2";

    private static final Duration LIMIT = Duration.ofSeconds(30);

    public final String client;
    public final String gateway;
    public final String server;
    public final String lan2;
    private final String suffix;
    private final String ip;
    private final List<Process> peers = new ArrayList<>();
    private final List<JarProcess> gateways = new ArrayList<>();

    private RouterNet(String suffix, String ip) {
        this.suffix = suffix;
        this.ip = ip;
        this.client = "pgk-c" + suffix;
        this.gateway = "pgk-g" + suffix;
        this.server = "pgk-s" + suffix;
        this.lan2 = "pgk-l" + suffix;
    }

    public static RouterNet create() throws Exception {
        String ip = Peers.require("ip");
        Peers.require("nft");
        if (!"root".equals(System.getProperty("user.name"))) {
            Peers.unavailable("network namespaces and nftables need root");
        }
        RouterNet net = new RouterNet(String.valueOf(ProcessHandle.current().pid() % 100000), ip);
        try {
            net.build();
        } catch (Exception | AssertionError e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build() throws Exception {
        for (String ns : List.of(client, gateway, server, lan2)) {
            run(ip, "netns", "add", ns);
            must(in(ns, ip, "link", "set", "lo", "up"));
        }
        run(
                ip,
                "link",
                "add",
                "kw" + suffix,
                "netns",
                client,
                "type",
                "veth",
                "peer",
                "name",
                "kg" + suffix,
                "netns",
                gateway);
        run(ip, "link", "add", "kl" + suffix, "netns", gateway, "type", "bridge");
        run(
                ip,
                "link",
                "add",
                "ks" + suffix,
                "netns",
                server,
                "type",
                "veth",
                "peer",
                "name",
                "kb" + suffix,
                "netns",
                gateway);
        run(
                ip,
                "link",
                "add",
                "k2" + suffix,
                "netns",
                lan2,
                "type",
                "veth",
                "peer",
                "name",
                "kc" + suffix,
                "netns",
                gateway);
        must(in(gateway, ip, "link", "set", "kb" + suffix, "master", "kl" + suffix));
        must(in(gateway, ip, "link", "set", "kc" + suffix, "master", "kl" + suffix));
        address(client, "kw", CLIENT + "/24", CLIENT6 + "/64");
        address(gateway, "kg", GATEWAY_WAN + "/24", GATEWAY_WAN6 + "/64");
        address(gateway, "kl", GATEWAY_LAN + "/24", "fd91:1::1/64");
        address(server, "ks", SERVER + "/24", SERVER6 + "/64");
        address(lan2, "k2", LAN2 + "/24", "fd91:1::3/64");
        for (String[] link : new String[][] {
            {client, "kw"},
            {gateway, "kg"},
            {gateway, "kl"},
            {gateway, "kb"},
            {gateway, "kc"},
            {server, "ks"},
            {lan2, "k2"}
        }) {
            must(in(link[0], ip, "link", "set", link[1] + suffix, "up"));
        }
        for (String ns : List.of(server, lan2)) {
            must(in(ns, ip, "route", "add", "default", "via", GATEWAY_LAN));
            must(in(ns, ip, "-6", "route", "add", "default", "via", "fd91:1::1"));
        }
        must(in(client, ip, "route", "add", "10.91.1.0/24", "via", GATEWAY_WAN));
        must(in(client, ip, "-6", "route", "add", "fd91:1::/64", "via", GATEWAY_WAN6));
        must(in(gateway, "sysctl", "-qw", "net.ipv4.ip_forward=1"));
        must(in(gateway, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"));
        // nodad: the IPv6 addresses are usable at once; wait only for any still marked tentative.
        await().atMost(LIMIT).until(() -> {
            for (String ns : List.of(client, gateway, server, lan2)) {
                if (Processes.run(LIMIT, in(ns, ip, "-6", "addr")).out().contains("tentative")) {
                    return false;
                }
            }
            return true;
        });
    }

    /** The server answers its own router no more: it reaches the client only through another (absent) router. */
    public void serverBehindAnotherRouter() throws Exception {
        must(in(server, ip, "route", "del", "default"));
        must(in(server, ip, "route", "add", "default", "via", "10.91.1.254"));
    }

    private void address(String ns, String prefix, String v4, String v6) throws Exception {
        must(in(ns, ip, "addr", "add", v4, "dev", prefix + suffix));
        must(in(ns, ip, "-6", "addr", "add", v6, "dev", prefix + suffix, "nodad"));
    }

    public String wanInterface() {
        return "kg" + suffix;
    }

    public List<String> in(String ns, String... command) {
        List<String> out = new ArrayList<>(List.of(ip, "netns", "exec", ns));
        out.addAll(List.of(command));
        return out;
    }

    public List<String> prefix(String ns) {
        return List.of(ip, "netns", "exec", ns);
    }

    private void run(String... command) throws Exception {
        must(List.of(command));
    }

    public void must(List<String> command) throws Exception {
        Processes.Result r = Processes.run(LIMIT, command);
        if (r.exit() != 0) {
            Peers.unavailable(
                    String.join(" ", command) + " failed: " + r.stderr().strip());
        }
    }

    public Processes.Result exec(String ns, String... command) throws Exception {
        return Processes.run(LIMIT, in(ns, command));
    }

    /** A long-running program in a namespace, stopped when the net closes. */
    public Process start(String ns, String... command) throws IOException {
        Process p = Processes.start(in(ns, command));
        peers.add(p);
        return p;
    }

    /** portgate serve in the gateway namespace, with this config; console on 127.0.0.1 there. */
    public JarProcess portgate(Path dir, String config, int console) throws IOException {
        Files.writeString(dir.resolve("portgate.yaml"), config);
        JarProcess p = JarProcess.start(
                dir,
                Map.of("PORTGATE_KERNEL", "auto"),
                prefix(gateway),
                "serve",
                "--config",
                "portgate.yaml",
                "--data",
                "data",
                "--console",
                "127.0.0.1:" + console);
        gateways.add(p);
        return p;
    }

    /** A GET of the gateway's API, from inside its namespace. */
    public String api(Path dir, int console, String path) throws Exception {
        String token =
                Files.readString(dir.resolve("data").resolve("api-token")).strip();
        return Processes.run(
                        LIMIT,
                        in(
                                gateway,
                                "curl",
                                "-sS",
                                "-H",
                                "Authorization: Bearer " + token,
                                "http://127.0.0.1:" + console + path))
                .out();
    }

    /** Sends one request to the API from inside the gateway namespace. */
    public String api(Path dir, int console, String method, String path, String body) throws Exception {
        String token =
                Files.readString(dir.resolve("data").resolve("api-token")).strip();
        List<String> cmd = new ArrayList<>(List.of(
                "curl",
                "-sS",
                "-X",
                method,
                "-H",
                "Authorization: Bearer " + token,
                "-H",
                "Content-Type: application/json"));
        if (body != null) {
            cmd.add("--data");
            cmd.add(body);
        }
        cmd.add("http://127.0.0.1:" + console + path);
        return Processes.run(LIMIT, in(gateway, cmd.toArray(String[]::new))).out();
    }

    /** What {@code nft list table inet NAME} prints in the gateway, or "" when there is no such table. */
    public String table(String name) throws Exception {
        Processes.Result r = exec(gateway, "nft", "list", "table", "inet", name);
        return r.exit() == 0 ? r.out() : "";
    }

    /** One TCP connection from a namespace, held open: lines written, lines read back. */
    public Held hold(String ns, String host, int port) throws IOException {
        Process p = new ProcessBuilder(in(ns, "socat", "-", "TCP:" + host + ":" + port))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        peers.add(p);
        return new Held(p);
    }

    /** A connection kept by a socat in a namespace; what it reads arrives on a queue. */
    public static final class Held {
        private final Process process;
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Held(Process process) {
            this.process = process;
            Thread reader = new Thread(
                    () -> {
                        try (BufferedReader r = new BufferedReader(
                                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String line; (line = r.readLine()) != null; ) {
                                lines.add(line);
                            }
                        } catch (IOException e) {
                            // the connection ended
                        }
                    },
                    "held-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** Writes a line and returns the first line that comes back within the time, or null. */
        public String roundTrip(String line, Duration within) throws Exception {
            OutputStream out = process.getOutputStream();
            try {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                return null;
            }
            return lines.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        }

        public boolean ended(Duration within) throws InterruptedException {
            return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        gateways.forEach(JarProcess::close);
        peers.forEach(Processes::stop);
        for (String ns : List.of(client, gateway, server, lan2)) {
            try {
                Processes.run(LIMIT, List.of(ip, "netns", "del", ns));
            } catch (IOException | InterruptedException e) {
                // best effort: the namespaces are named after this test's pid
            }
        }
    }
}
