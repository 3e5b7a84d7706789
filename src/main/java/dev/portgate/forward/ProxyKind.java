package dev.portgate.forward;

import java.util.Locale;

/** What a dynamic forward's port answers; one port can answer several (the first byte tells them apart). */
public enum ProxyKind {
    SOCKS5,
    SOCKS4,
    HTTP;

    public static ProxyKind parse(String word) {
        return switch (word.strip().toLowerCase(Locale.ROOT)) {
            case "socks5", "socks" -> SOCKS5;
            case "socks4", "socks4a" -> SOCKS4;
            case "http", "http-connect", "https" -> HTTP;
            default -> throw new IllegalArgumentException(
                    "\"" + word + "\" is not a proxy protocol — use socks5, socks4a or http");
        };
    }

    public String label() {
        return this == SOCKS4 ? "socks4a" : name().toLowerCase(Locale.ROOT);
    }
}
