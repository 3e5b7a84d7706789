package dev.portgate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A home behind carrier-grade NAT, a VPS and the internet, in network namespaces the test makes (and removes, also
 * when it fails), none with a route out of the machine:
 *
 * <pre>
 *   home 10.95.1.2 ── 10.95.1.1  cgnat  10.95.2.2 (.3) ── 10.95.2.1  vps  10.95.3.1 ── 10.95.3.2  internet
 * </pre>
 *
 * The cgnat masquerades what leaves home and drops every connection that starts outside, as a carrier's NAT does:
 * nothing reaches home unless home opened it. {@link #moveNat} changes its public address mid-session.
 */
public final class CgnatNet implements AutoCloseable {

    public static final String HOME = "10.95.1.2";
    public static final String CGNAT_INSIDE = "10.95.1.1";
    public static final String CGNAT_OUT = "10.95.2.2";
    public static final String CGNAT_OUT2 = "10.95.2.3";
    public static final String VPS = "10.95.2.1";
    public static final String VPS_PUBLIC = "10.95.3.1";
    public static final String PLAYER = "10.95.3.2";

    private static final Duration LIMIT = Duration.ofSeconds(30);

    public final String home;
    public final String cgnat;
    public final String vps;
    public final String internet;
    private final String suffix;
    private final String ip;
    private final List<JarProcess> gateways = new ArrayList<>();

    private CgnatNet(String suffix, String ip) {
        this.suffix = suffix;
        this.ip = ip;
        this.home = "pgt-h" + suffix;
        this.cgnat = "pgt-n" + suffix;
        this.vps = "pgt-v" + suffix;
        this.internet = "pgt-i" + suffix;
    }

    public static CgnatNet create() throws Exception {
        String ip = Peers.require("ip");
        Peers.require("nft");
        Peers.require("conntrack");
        if (!"root".equals(System.getProperty("user.name"))) {
            Peers.unavailable("network namespaces and nftables need root");
        }
        CgnatNet net = new CgnatNet(String.valueOf(ProcessHandle.current().pid() % 100000), ip);
        try {
            net.build();
        } catch (Exception | AssertionError e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build() throws Exception {
        for (String ns : List.of(home, cgnat, vps, internet)) {
            must(List.of(ip, "netns", "add", ns));
            must(in(ns, ip, "link", "set", "lo", "up"));
        }
        link("th", home, "tn", cgnat);
        link("to", cgnat, "tv", vps);
        link("tw", vps, "ti", internet);
        address(home, "th", HOME + "/24");
        address(cgnat, "tn", CGNAT_INSIDE + "/24");
        address(cgnat, "to", CGNAT_OUT + "/24");
        must(in(cgnat, ip, "addr", "add", CGNAT_OUT2 + "/24", "dev", "to" + suffix));
        address(vps, "tv", VPS + "/24");
        address(vps, "tw", VPS_PUBLIC + "/24");
        address(internet, "ti", PLAYER + "/24");
        must(in(home, ip, "route", "add", "default", "via", CGNAT_INSIDE));
        must(in(cgnat, "sysctl", "-qw", "net.ipv4.ip_forward=1"));
        nft(cgnat, nat(CGNAT_OUT));
    }

    /** The carrier's NAT: masquerade to {@code publicAddress}, and drop what starts outside. */
    private String nat(String publicAddress) {
        return "table ip cgnat {\n"
                + " chain out_nat {\n  type nat hook postrouting priority srcnat;\n  oifname \"to" + suffix
                + "\" snat to " + publicAddress + "\n }\n"
                + " chain inbound {\n  type filter hook forward priority filter; policy drop;\n"
                + "  ct state established,related accept\n"
                + "  iifname \"tn" + suffix + "\" accept\n }\n"
                + " chain lossy {\n  type filter hook forward priority filter - 1;\n }\n"
                + "}\n";
    }

    /** The NAT's public address changes: new flows and, once conntrack forgets, old ones leave from {@code to}. */
    public void moveNat(String to) throws Exception {
        must(in(cgnat, "nft", "delete", "table", "ip", "cgnat"));
        nft(cgnat, nat(to));
        must(in(cgnat, "conntrack", "-F"));
    }

    /**
     * Drops {@code percent}% of {@code protocol} ("udp" or "tcp") packets to or from {@code port} on the carrier's
     * path, as a lossy link would.
     */
    public void lose(String protocol, int port, int percent) throws Exception {
        for (String way : List.of("dport", "sport")) {
            must(in(
                    cgnat,
                    "nft",
                    "add rule ip cgnat lossy " + protocol + " " + way + " " + port + " numgen random mod 100 < "
                            + percent + " drop"));
        }
    }

    /** Drops every UDP packet to {@code port} on the carrier's path (a network that blocks UDP). */
    public void blockUdp(int port) throws Exception {
        must(in(cgnat, "nft", "add rule ip cgnat lossy udp dport " + port + " drop"));
    }

    /** Takes every loss and block rule away. */
    public void clearPath() throws Exception {
        must(in(cgnat, "nft", "flush", "chain", "ip", "cgnat", "lossy"));
    }

    private void nft(String ns, String rules) throws Exception {
        Path f = Files.createTempFile("cgnat", ".nft");
        try {
            Files.writeString(f, rules);
            must(in(ns, "nft", "-f", f.toString()));
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private void link(String a, String nsA, String b, String nsB) throws Exception {
        must(List.of(
                ip, "link", "add", a + suffix, "netns", nsA, "type", "veth", "peer", "name", b + suffix, "netns", nsB));
        must(in(nsA, ip, "link", "set", a + suffix, "up"));
        must(in(nsB, ip, "link", "set", b + suffix, "up"));
    }

    private void address(String ns, String prefix, String v4) throws Exception {
        must(in(ns, ip, "addr", "add", v4, "dev", prefix + suffix));
    }

    public List<String> in(String ns, String... command) {
        List<String> out = new ArrayList<>(List.of(ip, "netns", "exec", ns));
        out.addAll(List.of(command));
        return out;
    }

    public List<String> prefix(String ns) {
        return List.of(ip, "netns", "exec", ns);
    }

    public void must(List<String> command) throws Exception {
        Processes.Result r = Processes.run(LIMIT, command);
        if (r.exit() != 0) {
            Peers.unavailable(
                    String.join(" ", command) + " failed: " + r.stderr().strip());
        }
    }

    /** portgate serve in namespace {@code ns} with this config, its console on 127.0.0.1:{@code console} there. */
    public JarProcess portgate(String ns, Path dir, String config, int console) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("portgate.yaml"), config);
        JarProcess p = JarProcess.start(
                dir,
                Map.of(),
                prefix(ns),
                "serve",
                "--config",
                "portgate.yaml",
                "--data",
                "data",
                "--console",
                "127.0.0.1:" + console,
                "--log-level",
                System.getProperty("tunnel.logs", "info"));
        gateways.add(p);
        return p;
    }

    /** A GET of a gateway's API, from inside its namespace. */
    public String api(String ns, Path dir, int console, String path) throws Exception {
        String token =
                Files.readString(dir.resolve("data").resolve("api-token")).strip();
        return Processes.run(
                        LIMIT,
                        in(
                                ns,
                                "curl",
                                "-sS",
                                "-H",
                                "Authorization: Bearer " + token,
                                "http://127.0.0.1:" + console + path))
                .out();
    }

    @Override
    public void close() {
        gateways.forEach(JarProcess::close);
        for (String ns : List.of(home, cgnat, vps, internet)) {
            try {
                Processes.run(LIMIT, List.of(ip, "netns", "del", ns));
            } catch (IOException | InterruptedException e) {
                // best effort: the namespaces are named after this test's pid
            }
        }
    }
}
