package dev.portgate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A small cluster's network in namespaces the test makes (and removes): a hub namespace holding a bridge at
 * {@link #HUB} — where PostgreSQL, the targets and the clients live — and one namespace per node, each on the
 * bridge at 10.93.0.11, .12, … with nothing else reachable (no default route: a mistyped target goes nowhere).
 * Each node runs a real portgate jar with its console on 127.0.0.1:7080 inside its namespace.
 */
public final class ClusterNet implements AutoCloseable {

    public static final String HUB = "10.93.0.1";
    public static final int CONSOLE = 7080;
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private final String ip;
    private final String suffix;
    private final String hub;
    private final List<String> nodes = new ArrayList<>();
    private final List<Process> peers = new ArrayList<>();
    private final List<JarProcess> gateways = new ArrayList<>();

    private ClusterNet(String ip, String suffix) {
        this.ip = ip;
        this.suffix = suffix;
        this.hub = "pgc-h" + suffix;
    }

    /** The hub and {@code count} node namespaces, wired to one bridge. */
    public static ClusterNet create(int count) throws Exception {
        String ip = Peers.require("ip");
        Peers.require("socat");
        Peers.require("curl");
        if (!"root".equals(System.getProperty("user.name"))) {
            Peers.unavailable("network namespaces need root");
        }
        ClusterNet net =
                new ClusterNet(ip, String.valueOf(ProcessHandle.current().pid() % 100000));
        try {
            net.build(count);
        } catch (Exception | AssertionError e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build(int count) throws Exception {
        must(List.of(ip, "netns", "add", hub));
        must(in(hub, ip, "link", "set", "lo", "up"));
        must(in(hub, ip, "link", "add", "cb" + suffix, "type", "bridge"));
        must(in(hub, ip, "addr", "add", HUB + "/24", "dev", "cb" + suffix));
        must(in(hub, ip, "link", "set", "cb" + suffix, "up"));
        for (int i = 1; i <= count; i++) {
            String ns = "pgc-n" + i + "-" + suffix;
            nodes.add(ns);
            must(List.of(ip, "netns", "add", ns));
            must(in(ns, ip, "link", "set", "lo", "up"));
            String inside = interfaceOf(i);
            String outside = "cp" + i + "x" + suffix;
            must(List.of(
                    ip, "link", "add", inside, "netns", ns, "type", "veth", "peer", "name", outside, "netns", hub));
            must(in(hub, ip, "link", "set", outside, "master", "cb" + suffix));
            must(in(hub, ip, "link", "set", outside, "up"));
            must(in(ns, ip, "addr", "add", address(i) + "/24", "dev", inside));
            must(in(ns, ip, "link", "set", inside, "up"));
        }
    }

    /** Node {@code i}'s address on the bridge (from 1). */
    public static String address(int i) {
        return "10.93.0." + (10 + i);
    }

    public List<String> prefix(int node) {
        return List.of(ip, "netns", "exec", nodes.get(node - 1));
    }

    /** Node {@code i}'s interface on the bridge. */
    public String interfaceOf(int i) {
        return "ce" + i + "x" + suffix;
    }

    /** A command run in node {@code i}'s namespace. */
    public List<String> in(int node, String... command) {
        return in(nodes.get(node - 1), command);
    }

    /** A long-running program in node {@code i}'s namespace, stopped when the net closes. */
    public Process startIn(int node, String... command) throws IOException {
        Process p = Processes.start(in(node, command));
        peers.add(p);
        return p;
    }

    public List<String> hubPrefix() {
        return List.of(ip, "netns", "exec", hub);
    }

    public List<String> in(String ns, String... command) {
        List<String> out = new ArrayList<>(List.of(ip, "netns", "exec", ns));
        out.addAll(List.of(command));
        return out;
    }

    public List<String> inHub(String... command) {
        return in(hub, command);
    }

    private void must(List<String> command) throws Exception {
        Processes.Result r = Processes.run(LIMIT, command);
        if (r.exit() != 0) {
            Peers.unavailable(
                    String.join(" ", command) + " failed: " + r.stderr().strip());
        }
    }

    /** A long-running program in the hub, stopped when the net closes. */
    public Process startInHub(String... command) throws IOException {
        Process p = Processes.start(inHub(command));
        peers.add(p);
        return p;
    }

    /** portgate serve on node {@code i}, in {@code dir}, with this config. */
    public JarProcess portgate(int i, Path dir, String config) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("portgate.yaml"), config);
        JarProcess p = JarProcess.serve(dir, prefix(i), "127.0.0.1:" + CONSOLE);
        gateways.add(p);
        return p;
    }

    /** One API request on node {@code i}'s console, from inside its namespace: "STATUS BODY". */
    public String api(int i, Path dir, String method, String path, String body) throws Exception {
        String token =
                Files.readString(dir.resolve("data").resolve("api-token")).strip();
        List<String> cmd = new ArrayList<>(List.of(
                "curl",
                "-sS",
                "-m",
                "10",
                "-w",
                "\n%{http_code}",
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
        cmd.add("http://127.0.0.1:" + CONSOLE + path);
        String out = Processes.run(LIMIT, in(nodes.get(i - 1), cmd.toArray(String[]::new)))
                .out()
                .strip();
        int nl = out.lastIndexOf('\n');
        return nl < 0 ? out : out.substring(nl + 1) + " " + out.substring(0, nl);
    }

    /** Sends a line from the hub to host:port and returns the first line back, or "" when none came. */
    public String roundTrip(String host, int port, String line) throws Exception {
        Processes.Result r = Processes.run(
                LIMIT,
                inHub("sh", "-c", "printf '%s\\n' \"$0\" | timeout 5 socat -T 3 - TCP:" + host + ":" + port, line));
        String out = r.out().strip();
        int nl = out.indexOf('\n');
        return nl < 0 ? out : out.substring(0, nl);
    }

    @Override
    public void close() {
        gateways.forEach(JarProcess::close);
        peers.forEach(Processes::stop);
        List<String> all = new ArrayList<>(nodes);
        all.add(hub);
        for (String ns : all) {
            try {
                Processes.run(LIMIT, List.of(ip, "netns", "del", ns));
            } catch (IOException | InterruptedException e) {
                // best effort: the namespaces are named after this test's pid
            }
        }
    }
}
