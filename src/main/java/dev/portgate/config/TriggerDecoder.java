package dev.portgate.config;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Durations;
import dev.portgate.forward.ListenSpec;
import dev.portgate.trigger.TriggerConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads {@code triggers:} and {@code egress:}. */
final class TriggerDecoder {

    private static final Set<String> KEYS = Set.of("name", "trigger", "open", "open-for", "listen-address");

    private TriggerDecoder() {}

    static List<TriggerConfig> decode(Node list, Problems problems) {
        List<TriggerConfig> out = new ArrayList<>();
        if (!(list instanceof SequenceNode seq)) {
            problems.add(list, "", "triggers", "triggers must be a list of { name:, trigger:, open: }");
            return out;
        }
        Set<String> names = new HashSet<>();
        for (Node item : seq.getValue()) {
            if (!(item instanceof MappingNode m)) {
                problems.add(
                        item, "", "triggers", "each trigger must be a mapping (name:, trigger:, open:, open-for:)");
                continue;
            }
            int before = problems.list().size();
            Fields f = new Fields(m, problems, "", KEYS, "name, trigger, open, open-for, listen-address");
            String name = f.scalar("name").orElse(null);
            if (name == null || !ForwardDecoder.NAME.matcher(name).matches() || name.length() > 40) {
                f.problem("name", "triggers: each trigger needs a name (letters, digits, '.', '_', '-', at most 40)");
            } else if (!names.add(name)) {
                f.problem("name", "triggers: \"" + name + "\" is used twice");
            }
            TriggerConfig.Ports trigger =
                    ForwardDecoder.required(f, "trigger", TriggerConfig.Ports::parse, "trigger: tcp/6667");
            List<TriggerConfig.Ports> open = new ArrayList<>();
            for (String s : f.list("open").orElse(List.of())) {
                f.parse("open", s, f.at("open"), TriggerConfig.Ports::parse).ifPresent(open::add);
            }
            if (open.isEmpty() && !f.has("open")) {
                f.problem(
                        "open",
                        "triggers: open is missing — list the inbound ports, e.g. open: [ tcp/113, tcp/6881-6889 ]");
            }
            Duration openFor = f.parsed("open-for", Durations::parse).orElse(Duration.ofMinutes(10));
            if (openFor.isZero()) {
                f.problem("open-for", "triggers: open-for must be above 0");
            }
            InetAddress listen =
                    f.parsed("listen-address", TriggerDecoder::address).orElse(Addresses.literal("0.0.0.0"));
            if (problems.list().size() == before) {
                out.add(new TriggerConfig(name, trigger, open, openFor, listen));
            }
        }
        return out;
    }

    static Optional<ListenSpec> egress(Node node, Problems problems) {
        if (!(node instanceof MappingNode m)) {
            problems.add(node, "", "egress", "egress must be a mapping like { transparent: 0.0.0.0:12345 }");
            return Optional.empty();
        }
        Fields f = new Fields(m, problems, "", Set.of("transparent"), "transparent");
        Optional<ListenSpec> l = f.parsed("transparent", ListenSpec::parse);
        l.filter(s -> s.ports().size() != 1)
                .ifPresent(s -> f.problem("transparent", "egress: transparent: one port, not a range"));
        return l;
    }

    private static InetAddress address(String s) {
        InetAddress a = Addresses.literal(s.strip());
        if (a == null) {
            throw new IllegalArgumentException("\"" + s + "\" is not an IP address");
        }
        return Addresses.unmap(a);
    }
}
