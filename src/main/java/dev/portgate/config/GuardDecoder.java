package dev.portgate.config;

import dev.portgate.forward.Cidr;
import dev.portgate.forward.Durations;
import dev.portgate.forward.ListenSpec;
import dev.portgate.policy.Bans;
import dev.portgate.policy.Firewall;
import dev.portgate.policy.KnockConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;

/** Reads the {@code firewall:} and {@code knock:} sections. */
final class GuardDecoder {

    private GuardDecoder() {}

    record Guard(Firewall firewall, Bans.Settings bans) {}

    static Optional<Guard> firewall(MappingNode node, Problems problems) {
        int before = problems.list().size();
        Fields f = new Fields(node, problems, "", Set.of("allow", "deny", "ban"), "allow, deny, ban");
        List<Cidr> allow = ForwardDecoder.cidrs(f, "allow");
        List<Cidr> deny = ForwardDecoder.cidrs(f, "deny");
        Bans.Settings bans = Bans.Settings.DEFAULT;
        if (f.has("ban")) {
            if (f.at("ban") instanceof MappingNode bm) {
                Fields b = new Fields(bm, problems, "", Set.of("after", "within", "for"), "after, within, for");
                int after = b.parsed("after", Fields::parseCount).orElse(bans.after());
                Duration within = b.parsed("within", Durations::parse).orElse(bans.window());
                Duration duration = b.parsed("for", Durations::parse).orElse(bans.duration());
                if (after < 1) {
                    b.problem("after", "firewall: ban: after must be at least 1 failure");
                }
                if (within.isZero() || duration.isZero()) {
                    b.problem("for", "firewall: ban: within and for must be above 0");
                }
                bans = new Bans.Settings(after, within, duration);
            } else {
                f.problem("ban", "firewall: ban must be a mapping like { after: 10, within: 10m, for: 1h }");
            }
        }
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new Guard(new Firewall(allow, deny), bans));
    }

    static Optional<KnockConfig> knock(MappingNode node, Problems problems) {
        int before = problems.list().size();
        Fields f = new Fields(node, problems, "", Set.of("listen", "max-skew"), "listen, max-skew");
        ListenSpec listen =
                f.parsed("listen", ListenSpec::parse).orElse(ListenSpec.parse("0.0.0.0:" + KnockConfig.DEFAULT_PORT));
        if (listen.ports().size() != 1) {
            f.problem("listen", "knock: listen: one port, not the range " + listen.ports());
        }
        Duration skew = f.parsed("max-skew", Durations::parse).orElse(KnockConfig.DEFAULT_SKEW);
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new KnockConfig(listen, skew));
    }
}
