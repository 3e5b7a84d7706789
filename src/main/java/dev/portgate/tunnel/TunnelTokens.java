package dev.portgate.tunnel;

import dev.portgate.policy.PasswordHash;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Tunnel client tokens: long random secrets, so the server keeps only their SHA-256 ({@code sha256:…}) and
 * compares in constant time; a slow hash adds nothing to a secret nobody can guess.
 */
public final class TunnelTokens {

    static final String PREFIX = "sha256:";

    private TunnelTokens() {}

    public static String generate() {
        return PasswordHash.randomSecret(32);
    }

    public static String hash(String token) {
        return PREFIX + HexFormat.of().formatHex(sha256(token.strip().getBytes(StandardCharsets.UTF_8)));
    }

    /** A token file's content as the server keeps it: a {@code sha256:} line as it is, a bare token hashed. */
    public static String stored(String fileContent) {
        String s = fileContent.strip();
        if (s.toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
            String hex = s.substring(PREFIX.length()).toLowerCase(Locale.ROOT);
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("a sha256: token hash needs 64 hex digits");
            }
            return PREFIX + hex;
        }
        if (s.length() < 16) {
            throw new IllegalArgumentException(
                    "a tunnel token must be at least 16 characters (portgate tunnel token makes one)");
        }
        return hash(s);
    }

    public static boolean matches(String presented, String storedHash) {
        return MessageDigest.isEqual(
                hash(presented).getBytes(StandardCharsets.US_ASCII), storedHash.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
