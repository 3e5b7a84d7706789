package dev.portgate.forward;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a forward guards its door: who may start connections ({@code access}: anyone, after a knock,
 * after a console login, or over TLS), how fast and how much, when it closes itself for lack of use,
 * and whether the target is reached over TLS. {@link #NONE} is an open door.
 */
public record Protection(
        Access access,
        Path knockKey,
        Duration openFor,
        Duration closeWhenIdle,
        RateLimit rateLimit,
        long bandwidth,
        Tls tls,
        boolean targetTls,
        Path targetCa) {

    public static final Duration DEFAULT_OPEN_FOR = Duration.ofSeconds(60);
    public static final Protection NONE =
            new Protection(Access.OPEN, null, DEFAULT_OPEN_FOR, Duration.ZERO, null, 0, null, false, null);

    public enum Access {
        OPEN,
        KNOCK,
        LOGIN,
        TLS;

        public static Access parse(String s) {
            return switch (s.strip()) {
                case "open" -> OPEN;
                case "knock" -> KNOCK;
                case "login" -> LOGIN;
                case "tls" -> TLS;
                default -> throw new IllegalArgumentException(
                        "\"" + s + "\" is not an access mode — use open, knock, login or tls");
            };
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Knock and login open the door per source address for a while. */
        public boolean gated() {
            return this == KNOCK || this == LOGIN;
        }
    }

    /** TLS on the listen port: a certificate and key (PEM), or none for a self-signed one; a CA to require client certificates. */
    public record Tls(Path certificate, Path key, Path clientCa) {}

    /** New connections per source address: {@code count} per {@code per}. */
    public record RateLimit(int count, Duration per) {

        public RateLimit {
            if (count < 1 || per.isZero() || per.isNegative()) {
                throw new IllegalArgumentException("a rate limit needs a count of at least 1 per a positive time");
            }
        }

        public static RateLimit parse(String text) {
            String s = text.strip();
            int slash = s.indexOf('/');
            if (slash < 1) {
                throw new IllegalArgumentException("\"" + s + "\" is not a rate — write it like 10/s, 100/m or 1000/h");
            }
            String n = s.substring(0, slash);
            if (!n.chars().allMatch(Character::isDigit) || n.length() > 9) {
                throw new IllegalArgumentException("\"" + s + "\" is not a rate — write it like 10/s, 100/m or 1000/h");
            }
            Duration per =
                    switch (s.substring(slash + 1)) {
                        case "s" -> Duration.ofSeconds(1);
                        case "m" -> Duration.ofMinutes(1);
                        case "h" -> Duration.ofHours(1);
                        default -> throw new IllegalArgumentException(
                                "\"" + s + "\" is not a rate — the unit after / is s, m or h");
                    };
            return new RateLimit(Integer.parseInt(n), per);
        }

        @Override
        public String toString() {
            return count + "/" + (per.toHours() == 1 ? "h" : per.toMinutes() == 1 ? "m" : "s");
        }
    }

    /** Parses a bandwidth like {@code 50Mbit}, {@code 10MB}, {@code 500kbit}, {@code 1Gbit} into bytes per second. */
    public static long parseBandwidth(String text) {
        String s = text.strip();
        Matcher m =
                Pattern.compile("(\\d{1,9})\\s*(kbit|Mbit|Gbit|kB|KB|MB|GB|B)").matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "\"" + s + "\" is not a bandwidth — write it like 500kbit, 50Mbit, 1Gbit or 10MB (per second)");
        }
        long n = Long.parseLong(m.group(1));
        long bytes =
                switch (m.group(2)) {
                    case "kbit" -> n * 1000 / 8;
                    case "Mbit" -> n * 1_000_000 / 8;
                    case "Gbit" -> n * 1_000_000_000 / 8;
                    case "kB", "KB" -> n * 1000;
                    case "MB" -> n * 1_000_000;
                    case "GB" -> n * 1_000_000_000;
                    default -> n;
                };
        if (bytes < 1024) {
            throw new IllegalArgumentException("bandwidth " + s + " is below 1 kB/s — too little to carry anything");
        }
        return bytes;
    }

    public static String formatBandwidth(long bytesPerSecond) {
        long bits = bytesPerSecond * 8;
        if (bits % 1_000_000_000 == 0) {
            return bits / 1_000_000_000 + "Gbit";
        }
        if (bits % 1_000_000 == 0) {
            return bits / 1_000_000 + "Mbit";
        }
        if (bits % 1000 == 0) {
            return bits / 1000 + "kbit";
        }
        return bytesPerSecond + "B";
    }

    public boolean isNone() {
        return equals(NONE);
    }
}
