package dev.portgate.config;

import dev.portgate.forward.Cidr;
import dev.portgate.forward.DataPlane;
import dev.portgate.forward.Durations;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Origin;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.PortRange;
import dev.portgate.forward.Protection;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.TargetSpec;
import dev.portgate.kernel.KernelFit;
import dev.portgate.store.NodeSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;

/** Turns one {@code forwards:} entry into a {@link Forward}, or reports every problem it has. */
public final class ForwardDecoder {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    static final Set<String> PORT_KEYS = ProtectionDecoder.with(Set.of(
            "name",
            "kind",
            "protocol",
            "listen",
            "target",
            "allow",
            "deny",
            "idle-timeout",
            "max-connections",
            "expires",
            "nodes",
            "proxy-protocol",
            "data-plane",
            "enabled",
            "description"));
    private static final String PORT_KEYS_HINT = "name, kind, protocol, listen, target, allow, deny, idle-timeout, "
            + "max-connections, expires, nodes, proxy-protocol, data-plane, enabled, description, "
            + ProtectionDecoder.HINT;

    private ForwardDecoder() {}

    /** Decodes an entry; returns empty if it has problems (all of them added to {@code problems}). */
    public static Optional<Forward> decode(MappingNode node, int index, Origin origin, Problems problems) {
        // Counted before Fields is made: an unknown key is reported there, and must also keep the forward out.
        int before = problems.list().size();
        Optional<Forward> forward = decodeKind(node, index, origin, problems);
        return problems.list().size() > before ? Optional.empty() : forward;
    }

    private static Optional<Forward> decodeKind(MappingNode node, int index, Origin origin, Problems problems) {
        String label =
                // An invalid but printable name still names the forward in messages: "#1" says nothing to the API user.
                Fields.peek(node, "name")
                        .filter(n ->
                                !n.isBlank() && n.length() <= 100 && n.chars().allMatch(c -> c >= 0x20 && c != 0x7f))
                        .orElse("#" + (index + 1));
        String kindWord = Fields.peek(node, "kind").orElse("port");
        if (kindWord.equals("dynamic")) {
            return DynamicDecoder.decode(
                    new Fields(node, problems, label, DynamicDecoder.KEYS, DynamicDecoder.KEYS_HINT), index, origin);
        }
        if (kindWord.equals("http")) {
            return HttpDecoder.decode(
                    new Fields(node, problems, label, HttpDecoder.KEYS, HttpDecoder.KEYS_HINT), index, origin);
        }
        if (kindWord.equals("local") || kindWord.equals("remote")) {
            return TunnelDecoder.decode(
                    new Fields(node, problems, label, TunnelDecoder.keys(kindWord), TunnelDecoder.hint(kindWord)),
                    index,
                    origin,
                    kindWord.equals("local"));
        }
        Fields f = new Fields(node, problems, label, PORT_KEYS, PORT_KEYS_HINT);
        int before = problems.list().size();

        String name = name(f, index);
        String kind = f.scalar("kind").orElse("port");
        if (!kind.equals("port")) {
            f.problem("kind", "kind \"" + kind + "\" is not known — use port, dynamic, local, remote or http");
        }

        Set<Protocol> protocols =
                f.has("protocol") ? f.parsed("protocol", Protocol::parseSet).orElse(null) : Set.of(Protocol.TCP);
        ListenSpec listen = required(f, "listen", ListenSpec::parse, "listen: [address:]port, e.g. 0.0.0.0:8080");
        TargetSpec target = required(f, "target", TargetSpec::parse, "target: host:port, e.g. 192.168.1.5:80");
        Limits limits = limits(f);
        ProxyProtocol proxy = f.parsed("proxy-protocol", ProxyProtocol::parse).orElse(ProxyProtocol.NONE);
        DataPlane plane = f.parsed("data-plane", DataPlane::parse).orElse(DataPlane.AUTO);
        boolean enabled = f.parsed("enabled", Fields::parseBoolean).orElse(true);
        String description = description(f);

        if (listen != null && target != null) {
            PortRange l = listen.ports();
            PortRange t = target.ports();
            if (t.size() != 1 && t.size() != l.size()) {
                f.problem(
                        "target",
                        "target range " + t + " has " + t.size() + " ports but listen range " + l + " has " + l.size()
                                + " — give one target port, or a range of the same size");
            }
        }
        if (protocols != null
                && !protocols.contains(Protocol.TCP)
                && (limits.protection().access() == Protection.Access.TLS
                        || limits.protection().targetTls())) {
            f.problem(
                    limits.protection().targetTls() ? "target-tls" : "access",
                    "TLS works on tcp forwards only — use protocol: tcp");
        }
        if (protocols != null && proxy != ProxyProtocol.NONE && !protocols.contains(Protocol.TCP)) {
            f.problem("proxy-protocol", "proxy-protocol works on tcp forwards only — remove it or use protocol: tcp");
        }
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        PortForward forward =
                new PortForward(name, enabled, description, origin, protocols, listen, target, limits, proxy, plane);
        if (plane == DataPlane.KERNEL) {
            for (KernelFit.Obstacle o : KernelFit.obstacles(forward)) {
                f.problem(
                        o.field(),
                        "data-plane: kernel cannot carry this forward: " + o.reason() + " — remove " + o.field()
                                + ", or use data-plane: auto or relay");
            }
            if (problems.list().size() > before) {
                return Optional.empty();
            }
        }
        return Optional.of(forward);
    }

    /** The name, checked; problems name the forward by it from here on. */
    static String name(Fields f, int index) {
        String name = f.scalar("name").orElse(null);
        if (name == null) {
            if (!f.has("name")) {
                f.problem("name", "forward #" + (index + 1) + " has no name — add name: <word>");
            }
        } else if (!NAME.matcher(name).matches()) {
            f.problem(
                    "name",
                    "name \"" + name
                            + "\" is not valid — use letters, digits, '.', '_' and '-', at most 63, starting with a letter or digit");
        } else {
            f.owner(name);
        }
        return name;
    }

    /** The keys every kind shares: allow, deny, idle-timeout, max-connections, expires, nodes. */
    static Limits limits(Fields f) {
        List<Cidr> allow = cidrs(f, "allow");
        List<Cidr> deny = cidrs(f, "deny");
        Duration idle = f.parsed("idle-timeout", Durations::parse).orElse(Duration.ZERO);
        int maxConnections = f.parsed("max-connections", Fields::parseCount).orElse(0);
        Instant expires = f.parsed("expires", ForwardDecoder::parseExpiry).orElse(null);
        return new Limits(allow, deny, idle, maxConnections, expires, ProtectionDecoder.decode(f), nodes(f));
    }

    /** {@code nodes:}: the cluster nodes the forward runs on (absent: every node). */
    static SortedSet<String> nodes(Fields f) {
        SortedSet<String> out = new TreeSet<>();
        for (String s : f.list("nodes").orElse(List.of())) {
            f.parse("nodes", s, f.at("nodes"), NodeSettings::checkName).ifPresent(out::add);
        }
        return out;
    }

    /** An absolute time (ISO-8601, e.g. 2026-12-01T18:00:00Z) or a duration from now (e.g. 2h). */
    static Instant parseExpiry(String text) {
        String s = text.strip();
        if (s.isEmpty() || s.equals("never")) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException notAnInstant) {
            try {
                return Instant.now().plus(Durations.parse(s)).truncatedTo(ChronoUnit.SECONDS);
            } catch (IllegalArgumentException notADuration) {
                throw new IllegalArgumentException(
                        "\"" + s + "\" is neither a time like 2026-12-01T18:00:00Z nor a duration like 2h");
            }
        }
    }

    static String description(Fields f) {
        String description = f.scalar("description").orElse("");
        if (description.length() > 500) {
            f.problem("description", "description is " + description.length() + " characters long — keep it to 500");
        }
        return description;
    }

    static <T> T required(Fields f, String key, Function<String, T> parser, String hint) {
        if (!f.has(key)) {
            f.problem(key, key + " is missing — add " + hint);
            return null;
        }
        return f.parsed(key, parser).orElse(null);
    }

    static List<Cidr> cidrs(Fields f, String key) {
        List<Cidr> out = new ArrayList<>();
        for (String s : f.list(key).orElse(List.of())) {
            f.parse(key, s, f.at(key), Cidr::parse).ifPresent(out::add);
        }
        return out;
    }
}
