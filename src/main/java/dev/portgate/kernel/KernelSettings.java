package dev.portgate.kernel;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code kernel:} section: whether portgate writes port forwards into its own nftables table, and
 * how it treats source addresses. {@code enabled} null means "not said" (the environment's default).
 */
public record KernelSettings(
        Enabled enabled,
        String table,
        Masquerade masquerade,
        boolean reflection,
        List<String> wan,
        boolean keepOnStop) {

    public static final String DEFAULT_TABLE = "portgate";
    public static final KernelSettings DEFAULT =
            new KernelSettings(null, DEFAULT_TABLE, Masquerade.AUTO, true, List.of(), false);
    public static final KernelSettings OFF =
            new KernelSettings(Enabled.FALSE, DEFAULT_TABLE, Masquerade.AUTO, true, List.of(), false);

    /** nft identifiers: a letter, then letters, digits and underscores. */
    public static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}");

    /** Interface names as the kernel allows them (at most 15 bytes, no slash or space). */
    public static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");

    public enum Enabled {
        AUTO,
        TRUE,
        FALSE;

        public static Enabled parse(String word) {
            return switch (word.strip().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "true", "yes", "on" -> TRUE;
                case "false", "no", "off" -> FALSE;
                default -> throw new IllegalArgumentException("\"" + word + "\" is not auto, true or false");
            };
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Masquerade {
        AUTO,
        ALWAYS,
        NEVER;

        public static Masquerade parse(String word) {
            return switch (word.strip().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "always" -> ALWAYS;
                case "never" -> NEVER;
                default -> throw new IllegalArgumentException(
                        "\"" + word + "\" is not a masquerade mode — use auto, always or never");
            };
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public KernelSettings {
        wan = List.copyOf(wan);
    }

    /** {@code enabled} as said, or else the default: {@code PORTGATE_KERNEL} in the environment, or auto. */
    public Enabled enabledOr(String environment) {
        if (enabled != null) {
            return enabled;
        }
        if (environment == null || environment.isBlank()) {
            return Enabled.AUTO;
        }
        try {
            return Enabled.parse(environment);
        } catch (IllegalArgumentException e) {
            return Enabled.AUTO;
        }
    }
}
