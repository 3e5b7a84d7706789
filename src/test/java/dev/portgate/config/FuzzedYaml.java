package dev.portgate.config;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/** Fuzzed text as a quoted YAML scalar, so the config fuzzers reach the decoders rather than YAML's parser. */
final class FuzzedYaml {

    private FuzzedYaml() {}

    /** At most {@code max} fuzzed characters, escaped and quoted; control characters become '?'. */
    static String scalar(FuzzedDataProvider data, int max) {
        String s = data.consumeString(max).replace("\\", "\\\\").replace("\"", "\\\"");
        StringBuilder b = new StringBuilder("\"");
        s.chars().forEach(c -> b.append(c < 0x20 || c == 0x7f ? '?' : (char) c));
        return b.append('"').toString();
    }
}
