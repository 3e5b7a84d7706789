package dev.portgate.ssh;

/**
 * The primitives under SSH's ChaCha20-Poly1305 for one direction and one key: two ChaCha20 streams (the
 * length's and the payload's) and the Poly1305 keyed by the payload stream's block 0. {@link ChaCha20Poly1305}
 * frames packets and counts them; an engine only computes.
 */
sealed interface ChaChaPoly permits JavaChaChaPoly, OpenSslChaChaPoly {

    /** Makes an engine from the payload's and the length's 32-byte keys. */
    @FunctionalInterface
    interface Maker {
        ChaChaPoly make(byte[] payloadKey, byte[] lengthKey) throws Exception;
    }

    /** Starts a packet: both streams at block 0 of {@code nonce} (RFC 7539's 12 bytes), the MAC keyed. */
    void start(byte[] nonce) throws Exception;

    /** XORs the 4-byte packet length at {@code offset} with the length's stream. */
    void length(byte[] data, int offset) throws Exception;

    /** Encrypts the payload in place (from block 1) and writes the tag over length and ciphertext after it. */
    void seal(byte[] encryptedLength, byte[] data, int offset, int length) throws Exception;

    /** Checks the tag after the payload; if it matches, decrypts the payload in place and answers true. */
    boolean open(byte[] encryptedLength, byte[] data, int offset, int length) throws Exception;

    /** Whether {@code tag} equals the 16 bytes at {@code at}, comparing every byte: no timing hint of where they differ. */
    static boolean tagMatches(byte[] tag, byte[] data, int at) {
        int diff = 0;
        for (int i = 0; i < 16; i++) {
            diff |= tag[i] ^ data[at + i];
        }
        return diff == 0;
    }
}
