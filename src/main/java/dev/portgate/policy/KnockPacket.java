package dev.portgate.policy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A single-packet knock: {@code "PGK1"}, the forward's name (length byte + UTF-8), the sender's clock
 * (epoch seconds, 8 bytes), a random 16-byte nonce, and an HMAC-SHA256 over all of it under the
 * forward's key. One UDP datagram, never answered.
 */
public record KnockPacket(String forward, long epochSecond, byte[] nonce) {

    static final byte[] MAGIC = "PGK1".getBytes(StandardCharsets.US_ASCII);
    static final int NONCE = 16;
    static final int MAC = 32;
    public static final int MAX_SIZE = 4 + 1 + 63 + 8 + NONCE + MAC;

    public static byte[] build(String forward, long epochSecond, byte[] key) {
        byte[] nonce = new byte[NONCE];
        new SecureRandom().nextBytes(nonce);
        return build(forward, epochSecond, nonce, key);
    }

    static byte[] build(String forward, long epochSecond, byte[] nonce, byte[] key) {
        byte[] name = forward.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length > 63) {
            throw new IllegalArgumentException("a forward's name has 1 to 63 bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 1 + name.length + 8 + NONCE + MAC);
        b.put(MAGIC).put((byte) name.length).put(name).putLong(epochSecond).put(nonce);
        b.put(mac(key, b.array(), b.position()));
        return b.array();
    }

    /** The packet's fields if it is shaped like a knock (the MAC is checked by the caller, who has the key). */
    static KnockPacket parse(byte[] p) {
        if (p.length < 4 + 1 + 1 + 8 + NONCE + MAC || p.length > MAX_SIZE || !Arrays.equals(p, 0, 4, MAGIC, 0, 4)) {
            return null;
        }
        int n = p[4] & 0xff;
        if (n == 0 || n > 63 || p.length != 4 + 1 + n + 8 + NONCE + MAC) {
            return null;
        }
        for (int i = 5; i < 5 + n; i++) {
            if (!isNameByte(p[i])) {
                return null; // forward names are ASCII letters, digits, '.', '_' and '-': anything else names none
            }
        }
        String name = new String(p, 5, n, StandardCharsets.US_ASCII);
        long ts = ByteBuffer.wrap(p, 5 + n, 8).getLong();
        byte[] nonce = Arrays.copyOfRange(p, 5 + n + 8, 5 + n + 8 + NONCE);
        return new KnockPacket(name, ts, nonce);
    }

    private static boolean isNameByte(byte b) {
        return (b >= 'a' && b <= 'z')
                || (b >= 'A' && b <= 'Z')
                || (b >= '0' && b <= '9')
                || b == '.'
                || b == '_'
                || b == '-';
    }

    static boolean macValid(byte[] p, byte[] key) {
        int signed = p.length - MAC;
        return MessageDigest.isEqual(mac(key, p, signed), Arrays.copyOfRange(p, signed, p.length));
    }

    private static byte[] mac(byte[] key, byte[] data, int length) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            m.update(data, 0, length);
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Reads a key file made by {@code portgate knock-key}: one line of base64, at least 16 bytes of key. */
    public static byte[] readKey(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(
                    file + " is not a knock key (one line of base64) — make one with: portgate knock-key FILE");
        }
        if (key.length < 16) {
            throw new IOException(file + " holds a key of " + key.length
                    + " bytes — at least 16 are needed; make one with: portgate knock-key FILE");
        }
        return key;
    }

    /** Writes a new random 32-byte key as one line of base64, readable by its owner only. */
    public static void writeNewKey(Path file) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".knock", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the file keeps its default mode
            }
            Files.writeString(tmp, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
