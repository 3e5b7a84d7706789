package dev.portgate.forward;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** A transport protocol a forward carries. */
public enum Protocol {
    TCP,
    UDP;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the config word: {@code tcp}, {@code udp} or {@code both}. */
    public static Set<Protocol> parseSet(String word) {
        return switch (word.strip().toLowerCase(Locale.ROOT)) {
            case "tcp" -> EnumSet.of(TCP);
            case "udp" -> EnumSet.of(UDP);
            case "both", "tcp+udp" -> EnumSet.of(TCP, UDP);
            default -> throw new IllegalArgumentException("\"" + word + "\" is not a protocol — use tcp, udp or both");
        };
    }

    public static String label(Set<Protocol> set) {
        return set.size() == 2 ? "both" : set.iterator().next().label();
    }
}
