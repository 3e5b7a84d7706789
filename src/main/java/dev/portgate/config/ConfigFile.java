package dev.portgate.config;

import dev.portgate.forward.DynamicForward;
import dev.portgate.forward.Forward;
import dev.portgate.forward.ListenIndex;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.LocalForward;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Problem;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.RemoteForward;
import dev.portgate.http.HttpRoutingConfig;
import dev.portgate.igd.IgdConfig;
import dev.portgate.igd.UpstreamConfig;
import dev.portgate.kernel.KernelSettings;
import dev.portgate.policy.Bans;
import dev.portgate.policy.Firewall;
import dev.portgate.policy.KnockConfig;
import dev.portgate.ssh.SshEndpointConfig;
import dev.portgate.ssh.SshServerConfig;
import dev.portgate.store.NodeSettings;
import dev.portgate.store.StoreSettings;
import dev.portgate.trigger.TriggerConfig;
import dev.portgate.tunnel.TunnelEndpointConfig;
import dev.portgate.tunnel.TunnelServerConfig;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads and validates a portgate YAML config; a config with any problem is refused whole. */
public final class ConfigFile {

    private static final Set<String> TOP_KEYS = Set.of(
            "forwards",
            "ssh-server",
            "ssh-endpoints",
            "tunnel-server",
            "tunnel-endpoints",
            "igd",
            "upstream",
            "firewall",
            "knock",
            "triggers",
            "egress",
            "kernel",
            "store",
            "node",
            "http-routing");
    private static final int MAX_BYTES = 16 * 1024 * 1024;

    private ConfigFile() {}

    public static GatewayConfig load(Path path) throws ConfigException {
        String name = path.toString();
        try {
            if (Files.size(path) > MAX_BYTES) {
                throw new ConfigException(List.of(new Problem(name, "", "", "the file is larger than 16 MiB")));
            }
            return parse(Files.readString(path, StandardCharsets.UTF_8), name);
        } catch (IOException e) {
            throw new ConfigException(List.of(new Problem(name, "", "", "cannot read the file: " + e.getMessage())));
        }
    }

    public static GatewayConfig parse(String text, String source) throws ConfigException {
        Node root = compose(new StringReader(text), source);
        Problems problems = new Problems(source);
        if (root == null) {
            return GatewayConfig.EMPTY;
        }
        if (!(root instanceof MappingNode map)) {
            problems.add(root, "", "", "the config must be a mapping with a forwards: list");
            throw new ConfigException(problems.list());
        }
        Fields top = new Fields(
                map,
                problems,
                "",
                TOP_KEYS,
                "forwards, ssh-server, ssh-endpoints, tunnel-server, tunnel-endpoints, igd, upstream, firewall, knock,"
                        + " triggers, egress, kernel, http-routing, store, node");
        List<Forward> forwards = new ArrayList<>();
        Map<String, Node> seen = new HashMap<>();
        Origin origin = Origin.config(source);
        Node list = top.has("forwards") ? top.at("forwards") : null;
        if (list instanceof SequenceNode seq) {
            int i = 0;
            for (Node item : seq.getValue()) {
                if (item instanceof MappingNode m) {
                    Optional<Forward> f = ForwardDecoder.decode(m, i, origin, problems);
                    f.ifPresent(fw -> {
                        Node earlier = seen.putIfAbsent(fw.name(), m);
                        if (earlier != null) {
                            problems.add(
                                    m,
                                    fw.name(),
                                    "name",
                                    "name \"" + fw.name() + "\" is used twice (also on line "
                                            + (earlier.getStartMark().getLine() + 1) + ") — names must be unique");
                        } else {
                            forwards.add(fw);
                        }
                    });
                } else {
                    problems.add(
                            item,
                            "",
                            "forwards",
                            "forward #" + (i + 1) + " must be a mapping of keys (name:, listen:, target: …), not a "
                                    + Fields.shape(item));
                }
                i++;
            }
        } else if (list != null
                && !(list instanceof ScalarNode s && s.getValue().isEmpty())) {
            problems.add(
                    list,
                    "",
                    "forwards",
                    "forwards must be a list (each entry starting with \"- name:\"), not a " + Fields.shape(list));
        }
        SshServerConfig ssh = section(
                top, problems, "ssh-server", "listen:, users:", m -> SshServerDecoder.decode(m, problems), null);
        List<SshEndpointConfig> endpoints =
                top.has("ssh-endpoints") ? SshEndpointDecoder.decode(top.at("ssh-endpoints"), problems) : List.of();
        TunnelServerConfig tunnelServer = section(
                top,
                problems,
                "tunnel-server",
                "listen:, certificate:, clients:",
                m -> TunnelServerDecoder.decode(m, problems),
                null);
        List<TunnelEndpointConfig> tunnelEndpoints = top.has("tunnel-endpoints")
                ? TunnelEndpointDecoder.decode(top.at("tunnel-endpoints"), problems)
                : List.of();
        IgdConfig igd = section(
                top, problems, "igd", "lan:, upnp:, nat-pmp:, pcp: …", m -> IgdDecoder.decode(m, problems), null);
        UpstreamConfig upstream = section(
                top,
                problems,
                "upstream",
                "map:, method:",
                m -> IgdDecoder.decodeUpstream(m, problems, seen.keySet()),
                null);
        GuardDecoder.Guard guard = section(
                top,
                problems,
                "firewall",
                "allow:, deny:, ban:",
                m -> GuardDecoder.firewall(m, problems),
                new GuardDecoder.Guard(Firewall.OPEN, Bans.Settings.DEFAULT));
        KnockConfig knock =
                section(top, problems, "knock", "listen:, max-skew:", m -> GuardDecoder.knock(m, problems), null);
        List<TriggerConfig> triggers =
                top.has("triggers") ? TriggerDecoder.decode(top.at("triggers"), problems) : List.of();
        ListenSpec egress = top.has("egress")
                ? TriggerDecoder.egress(top.at("egress"), problems).orElse(null)
                : null;
        KernelSettings kernel = section(
                top,
                problems,
                "kernel",
                KernelDecoder.HINT,
                m -> KernelDecoder.decode(m, problems),
                KernelSettings.DEFAULT);
        HttpRoutingConfig httpRouting = section(
                top,
                problems,
                "http-routing",
                HttpRoutingDecoder.HINT,
                m -> HttpRoutingDecoder.decode(m, problems),
                null);
        StoreSettings store = section(
                top,
                problems,
                "store",
                ClusterDecoder.STORE_HINT,
                m -> ClusterDecoder.store(m, problems),
                StoreSettings.EMBEDDED);
        NodeSettings node =
                section(top, problems, "node", ClusterDecoder.NODE_HINT, m -> ClusterDecoder.node(m, problems), null);
        checkVia(forwards, endpoints, tunnelEndpoints, seen, problems);
        for (Problem p : ListenIndex.conflicts(forwards)) {
            problems.add(p, seen.get(p.forward()));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.byLine());
        }
        return new GatewayConfig(
                forwards,
                ssh,
                endpoints,
                igd,
                upstream,
                guard.firewall(),
                guard.bans(),
                knock,
                triggers,
                egress,
                kernel,
                tunnelServer,
                tunnelEndpoints,
                httpRouting,
                store,
                node);
    }

    /**
     * {@code via:} names an ssh-endpoint or a tunnel-endpoint (one namespace); what only the portgate tunnel
     * carries — UDP, port ranges — is refused through SSH with the reason.
     */
    private static void checkVia(
            List<Forward> forwards,
            List<SshEndpointConfig> ssh,
            List<TunnelEndpointConfig> tunnels,
            Map<String, Node> seen,
            Problems problems) {
        Set<String> sshNames = new HashSet<>();
        ssh.forEach(e -> sshNames.add(e.name()));
        Set<String> tunnelNames = new HashSet<>();
        tunnels.forEach(e -> tunnelNames.add(e.name()));
        for (String both : sshNames) {
            if (tunnelNames.contains(both)) {
                problems.add(
                        null,
                        "",
                        "tunnel-endpoints",
                        "\"" + both + "\" names both an ssh-endpoint and a tunnel-endpoint — via: needs one meaning");
            }
        }
        for (Forward f : forwards) {
            String via = f instanceof LocalForward lf
                    ? lf.via()
                    : f instanceof RemoteForward rf ? rf.via() : f instanceof DynamicForward df ? df.via() : null;
            Node at = seen.get(f.name());
            if (via == null) {
                continue;
            }
            if (!sshNames.contains(via) && !tunnelNames.contains(via)) {
                problems.add(
                        at,
                        f.name(),
                        "via",
                        "via: there is no ssh-endpoint or tunnel-endpoint named \"" + via
                                + "\" — add it under ssh-endpoints or tunnel-endpoints");
            } else if (f instanceof RemoteForward rf && sshNames.contains(via)) {
                if (rf.carried().contains(Protocol.UDP)) {
                    problems.add(
                            at,
                            f.name(),
                            "protocol",
                            "protocol: " + Protocol.label(rf.carried()) + " — SSH carries TCP only; \"" + via
                                    + "\" is an ssh-endpoint (UDP needs a tunnel-endpoint)");
                }
                if (rf.listen().ports().size() != 1 || rf.target().ports().size() != 1) {
                    problems.add(at, f.name(), "listen", "listen: an SSH tunnel has one port, not a range");
                }
                if (rf.proxyProtocol() != ProxyProtocol.NONE) {
                    problems.add(
                            at, f.name(), "proxy-protocol", "proxy-protocol works through a tunnel-endpoint, not SSH");
                }
            }
        }
    }

    /**
     * A top-level section that must be a mapping, read by {@code decoder}; {@code otherwise} when it is
     * absent or has problems. Another shape is a problem that names the keys it should hold.
     */
    private static <T> T section(
            Fields top,
            Problems problems,
            String key,
            String keysHint,
            Function<MappingNode, Optional<T>> decoder,
            T otherwise) {
        if (!top.has(key)) {
            return otherwise;
        }
        if (top.at(key) instanceof MappingNode m) {
            return decoder.apply(m).orElse(otherwise);
        }
        problems.add(top.at(key), "", key, key + " must be a mapping (" + keysHint + ")");
        return otherwise;
    }

    private static Node compose(Reader reader, String source) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setNestingDepthLimit(30);
        options.setCodePointLimit(MAX_BYTES);
        try {
            return new Yaml(new SafeConstructor(options)).compose(reader);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = mark == null ? source : source + ":" + (mark.getLine() + 1);
            String what = e.getProblem() == null ? e.getMessage() : e.getProblem();
            String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
            throw new ConfigException(List.of(new Problem(where, "", "", "not valid YAML: " + what + context)));
        } catch (YAMLException e) {
            throw new ConfigException(List.of(new Problem(source, "", "", "not valid YAML: " + e.getMessage())));
        }
    }
}
