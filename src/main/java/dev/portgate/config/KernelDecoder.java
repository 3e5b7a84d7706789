package dev.portgate.config;

import dev.portgate.kernel.KernelSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;

/** Reads the {@code kernel:} section. */
final class KernelDecoder {

    private static final Set<String> KEYS =
            Set.of("enabled", "table", "masquerade", "reflection", "wan", "keep-on-stop");
    static final String HINT = "enabled, table, masquerade, reflection, wan, keep-on-stop";

    private KernelDecoder() {}

    static Optional<KernelSettings> decode(MappingNode node, Problems problems) {
        int before = problems.list().size();
        Fields f = new Fields(node, problems, "", KEYS, HINT);
        KernelSettings.Enabled enabled =
                f.parsed("enabled", KernelSettings.Enabled::parse).orElse(null);
        String table = f.parsed("table", KernelDecoder::table).orElse(KernelSettings.DEFAULT_TABLE);
        KernelSettings.Masquerade masquerade =
                f.parsed("masquerade", KernelSettings.Masquerade::parse).orElse(KernelSettings.Masquerade.AUTO);
        boolean reflection = f.parsed("reflection", Fields::parseBoolean).orElse(true);
        boolean keep = f.parsed("keep-on-stop", Fields::parseBoolean).orElse(false);
        List<String> wan = new ArrayList<>();
        for (String s : f.list("wan").orElse(List.of())) {
            f.parse("wan", s, f.at("wan"), KernelDecoder::interfaceName).ifPresent(wan::add);
        }
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new KernelSettings(enabled, table, masquerade, reflection, wan, keep));
    }

    private static String table(String s) {
        String t = s.strip();
        if (!KernelSettings.TABLE_NAME.matcher(t).matches()) {
            throw new IllegalArgumentException(
                    "\"" + t + "\" is not a table name — use a letter, then letters, digits or _, at most 32");
        }
        return t;
    }

    private static String interfaceName(String s) {
        String t = s.strip();
        if (!KernelSettings.INTERFACE.matcher(t).matches()) {
            throw new IllegalArgumentException("\"" + t + "\" is not an interface name, such as eth0 or wan");
        }
        return t;
    }
}
