package dev.portgate.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A network namespace the test makes for itself (and removes), with loopback up and able to carry
 * multicast — so SSDP can be tried for real without touching the machine's own interfaces.
 * Needs root; elsewhere the test is skipped (or fails under -Dportgate.interop=required).
 */
public final class Netns implements AutoCloseable {

    private final String name;
    private final String ip;

    private Netns(String name, String ip) {
        this.name = name;
        this.ip = ip;
    }

    public static Netns withMulticastLoopback(String prefix) throws IOException, InterruptedException {
        String ip = Peers.require("ip");
        if (!"root".equals(System.getProperty("user.name"))) {
            Peers.unavailable("creating a network namespace needs root");
        }
        String name = prefix + "-" + ProcessHandle.current().pid();
        Netns ns = new Netns(name, ip);
        ns.must(List.of(ip, "netns", "add", name));
        ns.must(ns.exec(ip, "link", "set", "lo", "up"));
        ns.must(ns.exec(ip, "link", "set", "lo", "multicast", "on"));
        ns.must(ns.exec(ip, "route", "add", "239.0.0.0/8", "dev", "lo"));
        return ns;
    }

    /** Runs a setup command inside the namespace; a failure skips (or, in CI, fails) the test. */
    public void setup(String... command) throws IOException, InterruptedException {
        must(exec(command));
    }

    /** The command run inside the namespace. */
    public List<String> exec(String... command) {
        List<String> out = new ArrayList<>(List.of(ip, "netns", "exec", name));
        out.addAll(List.of(command));
        return out;
    }

    public List<String> prefix() {
        return List.of(ip, "netns", "exec", name);
    }

    private void must(List<String> command) throws IOException, InterruptedException {
        Processes.Result r = Processes.run(Duration.ofSeconds(20), command);
        if (r.exit() != 0) {
            close();
            Peers.unavailable(
                    String.join(" ", command) + " failed: " + r.stderr().strip());
        }
    }

    @Override
    public void close() {
        try {
            Processes.run(Duration.ofSeconds(20), List.of(ip, "netns", "del", name));
        } catch (IOException | InterruptedException e) {
            // best effort: a leftover namespace is named after this test's pid
        }
    }
}
