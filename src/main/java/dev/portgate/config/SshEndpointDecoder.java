package dev.portgate.config;

import dev.portgate.forward.Durations;
import dev.portgate.ssh.SshEndpointConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads {@code ssh-endpoints:}: the SSH servers tunnels go through. */
final class SshEndpointDecoder {

    private static final Set<String> KEYS = Set.of(
            "name",
            "host",
            "port",
            "user",
            "identity",
            "password-env",
            "password-file",
            "known-hosts",
            "keepalive",
            "ciphers");

    private SshEndpointDecoder() {}

    static List<SshEndpointConfig> decode(Node node, Problems problems) {
        List<SshEndpointConfig> out = new ArrayList<>();
        if (!(node instanceof SequenceNode seq)) {
            problems.add(node, "", "ssh-endpoints", "ssh-endpoints must be a list of mappings (- name: …, host: …)");
            return out;
        }
        Set<String> names = new HashSet<>();
        for (Node item : seq.getValue()) {
            if (!(item instanceof MappingNode m)) {
                problems.add(item, "", "ssh-endpoints", "each ssh-endpoint must be a mapping (name:, host:, user: …)");
                continue;
            }
            int before = problems.list().size();
            Fields f = new Fields(
                    m,
                    problems,
                    "",
                    KEYS,
                    "name, host, port, user, identity, password-env, password-file, known-hosts, keepalive, ciphers");
            String name = f.scalar("name").orElse(null);
            if (name == null || !ForwardDecoder.NAME.matcher(name).matches()) {
                f.problem("name", "ssh-endpoints: each endpoint needs a name (letters, digits, '.', '_', '-')");
                continue;
            }
            if (!names.add(name)) {
                f.problem("name", "ssh-endpoints: \"" + name + "\" is listed twice");
            }
            String host = f.scalar("host").orElse(null);
            if (host == null || host.isBlank()) {
                f.problem("host", "ssh-endpoint \"" + name + "\": host is missing");
            }
            int port = f.parsed("port", s -> {
                        int p = Fields.parseCount(s);
                        if (p < 1 || p > 65535) {
                            throw new IllegalArgumentException("port " + p + " is out of range — use 1-65535");
                        }
                        return p;
                    })
                    .orElse(22);
            String user = f.scalar("user").orElse(System.getProperty("user.name"));
            Path identity = f.scalar("identity").map(SshEndpointDecoder::path).orElse(null);
            if (identity != null && !Files.isReadable(identity)) {
                f.problem("identity", "ssh-endpoint \"" + name + "\": identity " + identity + " cannot be read");
            }
            String password = null;
            if (f.has("password-env")) {
                String var = f.scalar("password-env").orElse("");
                password = System.getenv(var);
                if (password == null) {
                    f.problem(
                            "password-env",
                            "ssh-endpoint \"" + name + "\": the environment variable " + var + " is not set");
                }
            } else if (f.has("password-file")) {
                Path p = path(f.scalar("password-file").orElse(""));
                try {
                    password = Files.readString(p).strip();
                } catch (IOException e) {
                    f.problem("password-file", "ssh-endpoint \"" + name + "\": cannot read " + p);
                }
            }
            if (identity == null && password == null && problems.list().size() == before) {
                f.problem(
                        "identity",
                        "ssh-endpoint \"" + name
                                + "\": give an identity (private key file) or a password-env/password-file");
            }
            Path knownHosts = f.scalar("known-hosts")
                    .map(SshEndpointDecoder::path)
                    .orElse(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"));
            Duration keepalive = f.parsed("keepalive", Durations::parse).orElse(Duration.ofSeconds(15));
            if (keepalive.isZero()) {
                f.problem("keepalive", "ssh-endpoint \"" + name + "\": keepalive must be more than 0");
            }
            if (problems.list().size() == before) {
                List<String> ciphers = new ArrayList<>();
                for (String c : f.list("ciphers").orElse(List.of())) {
                    f.parse("ciphers", c, f.at("ciphers"), SshEndpointConfig::checkCipher)
                            .ifPresent(ciphers::add);
                }
                out.add(new SshEndpointConfig(
                        name, host, port, user, identity, password, knownHosts, keepalive, ciphers));
            }
        }
        return out;
    }

    static Path path(String s) {
        return Path.of(s.startsWith("~/") ? System.getProperty("user.home") + s.substring(1) : s);
    }
}
