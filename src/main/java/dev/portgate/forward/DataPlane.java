package dev.portgate.forward;

import java.util.Locale;

/**
 * Where a port forward's packets are carried: by the kernel's NAT (nftables), by portgate's relay,
 * or wherever everything the forward asks for can be done ({@code auto}: the kernel when it can).
 */
public enum DataPlane {
    AUTO,
    KERNEL,
    RELAY;

    public static DataPlane parse(String word) {
        return switch (word.strip().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "kernel" -> KERNEL;
            case "relay" -> RELAY;
            default -> throw new IllegalArgumentException(
                    "\"" + word + "\" is not a data plane — use auto, kernel or relay");
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
