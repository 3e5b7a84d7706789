package dev.portgate.config;

import dev.portgate.forward.Durations;
import dev.portgate.forward.TargetSpec;
import dev.portgate.tunnel.TunnelEndpointConfig;
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

/** Reads {@code tunnel-endpoints:}: the portgate tunnel servers this gateway is a client of. */
final class TunnelEndpointDecoder {

    static final int DEFAULT_PORT = 7443;
    private static final Set<String> KEYS = Set.of(
            "name",
            "server",
            "servers",
            "token-file",
            "client-certificate",
            "server-fingerprint",
            "ca",
            "transport",
            "keepalive",
            "client-name");

    private TunnelEndpointDecoder() {}

    static List<TunnelEndpointConfig> decode(Node node, Problems problems) {
        List<TunnelEndpointConfig> out = new ArrayList<>();
        if (!(node instanceof SequenceNode seq)) {
            problems.add(
                    node, "", "tunnel-endpoints", "tunnel-endpoints must be a list of mappings (- name: …, server: …)");
            return out;
        }
        Set<String> names = new HashSet<>();
        for (Node item : seq.getValue()) {
            if (!(item instanceof MappingNode m)) {
                problems.add(item, "", "tunnel-endpoints", "each tunnel-endpoint must be a mapping (name:, server: …)");
                continue;
            }
            int before = problems.list().size();
            Fields f = new Fields(
                    m,
                    problems,
                    "",
                    KEYS,
                    "name, server, servers, token-file, client-certificate, server-fingerprint, ca, transport,"
                            + " keepalive, client-name");
            String name = f.scalar("name").orElse(null);
            if (name == null || !ForwardDecoder.NAME.matcher(name).matches()) {
                f.problem("name", "tunnel-endpoints: each endpoint needs a name (letters, digits, '.', '_', '-')");
                continue;
            }
            if (!names.add(name)) {
                f.problem("name", "tunnel-endpoints: \"" + name + "\" is listed twice");
            }
            List<TunnelEndpointConfig.Server> servers = new ArrayList<>();
            if (f.has("server") == f.has("servers")) {
                f.problem(
                        f.has("server") ? "servers" : "server",
                        "tunnel-endpoint \"" + name + "\": give server: host:port of the tunnel server, e.g."
                                + " vps.example.net:7443, or servers: [a:7443, b:7443] to try in turn — one of them");
            } else if (f.has("server")) {
                f.parsed("server", s -> server(name, s)).ifPresent(servers::add);
            } else {
                for (String s : f.list("servers").orElse(List.of())) {
                    f.parse("servers", s, f.at("servers"), x -> server(name, x)).ifPresent(servers::add);
                }
            }
            String token = null;
            String certificate = f.scalar("client-certificate").orElse(null);
            if (certificate != null && !certificate.equals("auto")) {
                Path store = SshEndpointDecoder.path(certificate);
                if (!Files.isReadable(store)
                        || !Files.isReadable(store.resolveSibling(store.getFileName() + ".password"))) {
                    f.problem(
                            "client-certificate",
                            "tunnel-endpoint \"" + name + "\": client-certificate " + store
                                    + " and its password file " + store.getFileName()
                                    + ".password beside it must be readable (or say auto)");
                }
                certificate = store.toString();
            }
            if (!f.has("token-file") && certificate == null) {
                f.problem(
                        "token-file",
                        "tunnel-endpoint \"" + name + "\": token-file is missing (or give a client-certificate)");
            } else if (f.has("token-file")) {
                Path p = SshEndpointDecoder.path(f.scalar("token-file").orElse(""));
                try {
                    token = Files.readString(p).strip();
                    if (token.isEmpty() || token.startsWith("sha256:")) {
                        f.problem(
                                "token-file",
                                "tunnel-endpoint \"" + name + "\": " + p
                                        + " must hold the token itself (the server keeps its sha256: hash)");
                    }
                } catch (IOException e) {
                    f.problem("token-file", "tunnel-endpoint \"" + name + "\": cannot read " + p);
                }
            }
            String fingerprint = f.parsed("server-fingerprint", TunnelEndpointConfig::normalize)
                    .orElse(null);
            Path ca = f.scalar("ca").map(SshEndpointDecoder::path).orElse(null);
            if (ca != null && !Files.isReadable(ca)) {
                f.problem("ca", "tunnel-endpoint \"" + name + "\": ca " + ca + " cannot be read");
            }
            if (!f.has("server-fingerprint") && ca == null) {
                f.problem(
                        "server-fingerprint",
                        "tunnel-endpoint \"" + name
                                + "\": give server-fingerprint (the tunnel server prints it) or ca — an unknown server is never trusted");
            }
            TunnelEndpointConfig.Mode mode =
                    f.parsed("transport", TunnelEndpointConfig.Mode::parse).orElse(TunnelEndpointConfig.Mode.AUTO);
            Duration keepalive = f.parsed("keepalive", Durations::parse).orElse(Duration.ofSeconds(10));
            if (keepalive.isZero() || keepalive.compareTo(Duration.ofSeconds(25)) > 0) {
                f.problem("keepalive", "tunnel-endpoint \"" + name + "\": keepalive must be between 1s and 25s");
            }
            String client = f.scalar("client-name").orElse(hostName());
            if (problems.list().size() == before && !servers.isEmpty()) {
                out.add(new TunnelEndpointConfig(
                        name,
                        servers.get(0).host(),
                        servers.get(0).port(),
                        client,
                        token,
                        fingerprint,
                        ca,
                        mode,
                        keepalive,
                        certificate,
                        servers));
            }
        }
        return out;
    }

    /** One server, host:port (the port 7443 when left out). */
    private static TunnelEndpointConfig.Server server(String endpoint, String text) {
        String s = text.strip();
        String withPort;
        if (s.startsWith("[")) {
            withPort = s.contains("]:") ? s : s + ":" + DEFAULT_PORT;
        } else {
            withPort = s.contains(":") && s.indexOf(':') == s.lastIndexOf(':') ? s : s + ":" + DEFAULT_PORT;
        }
        TargetSpec t = TargetSpec.parse(withPort);
        if (t.ports().size() != 1) {
            throw new IllegalArgumentException(
                    "tunnel-endpoint \"" + endpoint + "\": " + s + " — one port, not a range");
        }
        return new TunnelEndpointConfig.Server(t.host(), t.ports().first());
    }

    /** The kernel's host name: no look-up (InetAddress.getLocalHost may ask DNS). */
    private static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return h.isEmpty() ? "portgate" : h;
        } catch (IOException e) {
            return "portgate";
        }
    }
}
