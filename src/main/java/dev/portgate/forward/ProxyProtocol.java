package dev.portgate.forward;

import java.util.Locale;

/** Whether a TCP forward tells its target the client's real address (HAProxy PROXY protocol). */
public enum ProxyProtocol {
    NONE,
    V1,
    V2;

    public static ProxyProtocol parse(String word) {
        return switch (word.strip().toLowerCase(Locale.ROOT)) {
            case "none", "off", "false" -> NONE;
            case "v1", "1" -> V1;
            case "v2", "2" -> V2;
            default -> throw new IllegalArgumentException(
                    "\"" + word + "\" is not a PROXY protocol version — use none, v1 or v2");
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
