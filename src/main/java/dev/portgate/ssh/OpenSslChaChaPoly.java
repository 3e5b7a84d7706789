package dev.portgate.ssh;

import static dev.portgate.ssh.LibCrypto.EVP_CIPHER_CTX_free;
import static dev.portgate.ssh.LibCrypto.EVP_CIPHER_CTX_new;
import static dev.portgate.ssh.LibCrypto.EVP_CipherInit_ex;
import static dev.portgate.ssh.LibCrypto.EVP_CipherUpdate;
import static dev.portgate.ssh.LibCrypto.EVP_MAC_CTX_free;
import static dev.portgate.ssh.LibCrypto.EVP_MAC_CTX_new;
import static dev.portgate.ssh.LibCrypto.EVP_MAC_final;
import static dev.portgate.ssh.LibCrypto.EVP_MAC_init;
import static dev.portgate.ssh.LibCrypto.EVP_MAC_update;
import static dev.portgate.ssh.LibCrypto.EVP_chacha20;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;

/**
 * OpenSSL's ChaCha20 and Poly1305 (libcrypto 3). A packet's payload is copied once into native memory, encrypted
 * or decrypted and authenticated there, and copied back: two 32 KiB copies cost far less than the Java cipher.
 * One instance serves one direction of one connection, one packet at a time (MINA's encode or decode lock).
 */
// Each fence ends a method whose only other exit is an exception that leaves the cipher unusable anyway.
@SuppressWarnings("ReachabilityFenceUsage")
final class OpenSslChaChaPoly implements ChaChaPoly {

    private static final Cleaner CLEANER = Cleaner.create();
    private static final int BLOCK = 64;

    private final Pointer lengthStream;
    private final Pointer payloadStream;
    private final Pointer mac;
    private final byte[] iv = new byte[16];
    private final byte[] tag = new byte[16];
    private final int[] outLength = new int[1];
    private final long[] tagLength = new long[1];
    /** Block 0 of the payload stream (its first half is the MAC key), then room for the 4-byte length. */
    private final Memory scratch = new Memory(BLOCK + 8);
    /** Grows to the largest packet seen (32 KiB for a busy tunnel); an idle session keeps 4 KiB. */
    private Memory payload = new Memory(4096);

    OpenSslChaChaPoly(byte[] payloadKey, byte[] lengthKey) {
        this.lengthStream = EVP_CIPHER_CTX_new();
        this.payloadStream = EVP_CIPHER_CTX_new();
        this.mac = EVP_MAC_CTX_new(LibCrypto.poly1305());
        CLEANER.register(this, new Free(lengthStream, payloadStream, mac));
        check(lengthStream != null && payloadStream != null && mac != null ? 1 : 0, "allocate contexts");
        check(EVP_CipherInit_ex(lengthStream, EVP_chacha20(), null, lengthKey, null, 1), "key the length's stream");
        check(EVP_CipherInit_ex(payloadStream, EVP_chacha20(), null, payloadKey, null, 1), "key the payload's stream");
    }

    /** Frees the native contexts once the cipher is unreachable (MINA drops a cipher at each key exchange). */
    private record Free(Pointer lengthStream, Pointer payloadStream, Pointer mac) implements Runnable {
        @Override
        public void run() {
            EVP_CIPHER_CTX_free(lengthStream);
            EVP_CIPHER_CTX_free(payloadStream);
            EVP_MAC_CTX_free(mac);
        }
    }

    private static void check(int result, String what) {
        if (result != 1) {
            throw new IllegalStateException("chacha20-poly1305: OpenSSL could not " + what);
        }
    }

    @Override
    public void start(byte[] nonce) {
        // OpenSSL's 16-byte IV: the 32-bit block counter (little-endian, 0 here), then RFC 7539's 12-byte nonce.
        System.arraycopy(nonce, 0, iv, 4, 12);
        check(EVP_CipherInit_ex(lengthStream, null, null, null, iv, -1), "start the length's stream");
        check(EVP_CipherInit_ex(payloadStream, null, null, null, iv, -1), "start the payload's stream");
        scratch.clear(BLOCK);
        check(EVP_CipherUpdate(payloadStream, scratch, outLength, scratch, BLOCK), "make block 0");
        check(EVP_MAC_init(mac, scratch, 32, null), "key Poly1305");
        Reference.reachabilityFence(this);
    }

    @Override
    public void length(byte[] data, int offset) {
        Pointer length = scratch.share(BLOCK);
        length.write(0, data, offset, 4);
        check(EVP_CipherUpdate(lengthStream, length, outLength, length, 4), "encrypt the length");
        length.read(0, data, offset, 4);
        Reference.reachabilityFence(this);
    }

    @Override
    public void seal(byte[] encryptedLength, byte[] data, int offset, int length) {
        Memory p = room(length);
        p.write(0, data, offset, length);
        check(EVP_CipherUpdate(payloadStream, p, outLength, p, length), "encrypt the payload");
        authenticate(encryptedLength, p, length);
        p.read(0, data, offset, length);
        System.arraycopy(tag, 0, data, offset + length, 16);
        Reference.reachabilityFence(this);
    }

    @Override
    public boolean open(byte[] encryptedLength, byte[] data, int offset, int length) {
        Memory p = room(length);
        p.write(0, data, offset, length);
        authenticate(encryptedLength, p, length);
        if (!ChaChaPoly.tagMatches(tag, data, offset + length)) {
            return false;
        }
        check(EVP_CipherUpdate(payloadStream, p, outLength, p, length), "decrypt the payload");
        p.read(0, data, offset, length);
        Reference.reachabilityFence(this);
        return true;
    }

    private void authenticate(byte[] encryptedLength, Pointer ciphertext, int length) {
        check(EVP_MAC_update(mac, encryptedLength, 4), "authenticate the length");
        check(EVP_MAC_update(mac, ciphertext, length), "authenticate the payload");
        check(EVP_MAC_final(mac, tag, tagLength, 16), "finish the tag");
    }

    /** Native room for a payload of {@code length} bytes (SSH packets are up to 256 KiB; most are 32 KiB). */
    private Memory room(int length) {
        if (payload.size() < length) {
            payload.close();
            payload = new Memory(Math.max(length + 256, 2 * payload.size()));
        }
        return payload;
    }
}
