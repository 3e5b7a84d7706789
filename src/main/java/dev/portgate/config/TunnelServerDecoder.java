package dev.portgate.config;

import dev.portgate.forward.Destination;
import dev.portgate.forward.HostPattern;
import dev.portgate.forward.ListenSpec;
import dev.portgate.tunnel.TunnelEndpointConfig;
import dev.portgate.tunnel.TunnelServerConfig;
import dev.portgate.tunnel.TunnelTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;

/** Reads {@code tunnel-server:}: where portgate takes tunnel clients, its certificate, and the clients. */
final class TunnelServerDecoder {

    private static final Set<String> KEYS =
            Set.of("listen", "certificate", "key-store", "key-store-password-file", "clients");
    private static final Set<String> CLIENT_KEYS = Set.of(
            "name", "token-file", "token-hash", "client-certificates", "permit-listen", "permit-open", "permit-hosts");

    private TunnelServerDecoder() {}

    static Optional<TunnelServerConfig> decode(MappingNode node, Problems problems) {
        int before = problems.list().size();
        Fields f = new Fields(
                node, problems, "", KEYS, "listen, certificate, key-store, key-store-password-file, clients");
        ListenSpec listen = ForwardDecoder.required(
                f, "listen", ListenSpec::parse, "tunnel-server: listen: [address:]port, e.g. 0.0.0.0:7443");
        if (listen != null && listen.ports().size() != 1) {
            f.problem("listen", "tunnel-server: listen: one port, not the range " + listen.ports());
        }
        String certificate = f.scalar("certificate").orElse("auto");
        Path keyStore = f.scalar("key-store").map(SshEndpointDecoder::path).orElse(null);
        String password = null;
        if (!certificate.equals("auto") && !certificate.equals("key-store")) {
            f.problem("certificate", "tunnel-server: certificate: \"" + certificate + "\" — use auto or key-store");
        }
        if (certificate.equals("key-store") || keyStore != null) {
            if (keyStore == null || !Files.isReadable(keyStore)) {
                f.problem("key-store", "tunnel-server: key-store " + keyStore + " cannot be read (a PKCS#12 file)");
            }
            Path pass = f.scalar("key-store-password-file")
                    .map(SshEndpointDecoder::path)
                    .orElse(null);
            if (pass == null) {
                f.problem("key-store-password-file", "tunnel-server: the key-store needs key-store-password-file");
            } else {
                try {
                    password = Files.readString(pass).strip();
                } catch (IOException e) {
                    f.problem("key-store-password-file", "tunnel-server: cannot read " + pass);
                }
            }
        }
        List<TunnelServerConfig.Client> clients = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (MappingNode m : f.mappings("clients").orElse(List.of())) {
            Fields c = new Fields(
                    m,
                    problems,
                    "",
                    CLIENT_KEYS,
                    "name, token-file, token-hash, client-certificates, permit-listen, permit-open, permit-hosts");
            String name = c.scalar("name").orElse(null);
            if (name == null || !ForwardDecoder.NAME.matcher(name).matches()) {
                c.problem("name", "tunnel-server: clients: each client needs a name (letters, digits, '.', '_', '-')");
                continue;
            }
            if (!names.add(name)) {
                c.problem("name", "tunnel-server: client \"" + name + "\" is listed twice");
            }
            String hash = null;
            if (c.has("token-hash")) {
                hash = c.parsed("token-hash", TunnelTokens::stored).orElse(null);
            } else if (c.has("token-file")) {
                Path file = SshEndpointDecoder.path(c.scalar("token-file").orElse(""));
                try {
                    hash = TunnelTokens.stored(Files.readString(file));
                } catch (IOException e) {
                    c.problem("token-file", "tunnel-server: client \"" + name + "\": cannot read " + file);
                } catch (IllegalArgumentException e) {
                    c.problem("token-file", "tunnel-server: client \"" + name + "\": " + file + ": " + e.getMessage());
                }
            } else if (!c.has("client-certificates")) {
                c.problem(
                        "token-file",
                        "tunnel-server: client \"" + name
                                + "\" needs a token-file (or token-hash, or client-certificates) — portgate tunnel token"
                                + " makes one");
            }
            List<String> certificates = new ArrayList<>();
            for (String fp : c.list("client-certificates").orElse(List.of())) {
                c.parse("client-certificates", fp, c.at("client-certificates"), TunnelEndpointConfig::normalize)
                        .ifPresent(certificates::add);
            }
            List<TunnelServerConfig.Permit> permits = new ArrayList<>();
            for (String p : c.list("permit-listen").orElse(List.of())) {
                c.parse("permit-listen", p, c.at("permit-listen"), TunnelServerConfig.Permit::parse)
                        .ifPresent(permits::add);
            }
            List<Destination> permitOpen = new ArrayList<>();
            for (String d : c.list("permit-open").orElse(List.of())) {
                c.parse("permit-open", d, c.at("permit-open"), Destination::parse)
                        .ifPresent(permitOpen::add);
            }
            List<HostPattern> permitHosts = new ArrayList<>();
            for (String h : c.list("permit-hosts").orElse(List.of())) {
                c.parse("permit-hosts", h, c.at("permit-hosts"), HttpDecoder::host)
                        .ifPresent(permitHosts::add);
            }
            if (hash != null || !certificates.isEmpty()) {
                clients.add(new TunnelServerConfig.Client(name, hash, permits, permitOpen, certificates, permitHosts));
            }
        }
        Set<String> hashes = new HashSet<>();
        for (TunnelServerConfig.Client c : clients) {
            if (c.tokenHash() != null && !hashes.add(c.tokenHash())) {
                f.problem(
                        "clients",
                        "tunnel-server: client \"" + c.name() + "\" has the same token as another — give each its own");
            }
        }
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new TunnelServerConfig(listen, keyStore, password, clients));
    }
}
