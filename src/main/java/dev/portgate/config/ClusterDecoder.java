package dev.portgate.config;

import dev.portgate.store.NodeSettings;
import dev.portgate.store.StoreSettings;
import dev.portgate.tunnel.TunnelEndpointConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;

/** Reads the {@code store:} and {@code node:} sections: where the state lives, and who this node is. */
final class ClusterDecoder {

    static final String STORE_HINT = "url, password-file";
    static final String NODE_HINT = "name, address, link-transport";

    private ClusterDecoder() {}

    static Optional<StoreSettings> store(MappingNode node, Problems problems) {
        int before = problems.list().size();
        Fields f = new Fields(node, problems, "", Set.of("url", "password-file"), STORE_HINT);
        String url = f.parsed("url", ClusterDecoder::url).orElse(null);
        Path passwordFile = f.scalar("password-file").map(Path::of).orElse(null);
        if (passwordFile != null && url == null) {
            problems.add(node, "", "password-file", "password-file needs a url: — the embedded store has no password");
        }
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new StoreSettings(url, passwordFile));
    }

    static Optional<NodeSettings> node(MappingNode node, Problems problems) {
        int before = problems.list().size();
        Fields f = new Fields(node, problems, "", Set.of("name", "address", "link-transport"), NODE_HINT);
        String name = f.parsed("name", NodeSettings::checkName).orElse(null);
        String address = f.parsed("address", ClusterDecoder::address).orElse("");
        String transport =
                f.parsed("link-transport", ClusterDecoder::linkTransport).orElse("tcp");
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(
                new NodeSettings(name == null ? NodeSettings.defaults().name() : name, address, transport));
    }

    private static String url(String s) {
        StoreSettings.parse(s);
        return s.strip();
    }

    /** How this node's links to the others go: tcp (TLS 1.3 on TCP, the default), quic, or auto. */
    private static String linkTransport(String s) {
        return TunnelEndpointConfig.Mode.parse(s).name().toLowerCase(Locale.ROOT);
    }

    /** host:port where the other nodes reach this one ([v6]:port for an IPv6 literal). */
    private static String address(String s) {
        String t = s.strip();
        int colon = t.lastIndexOf(':');
        String host = colon < 0 ? "" : t.substring(0, colon);
        int port = -1;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            // said below
        }
        if (host.isEmpty() || port < 1 || port > 65535 || (host.contains(":") && !host.startsWith("["))) {
            throw new IllegalArgumentException(
                    "\"" + t + "\" is not host:port — write where the other nodes reach this one, e.g. 10.0.0.11:7444");
        }
        return t;
    }
}
