package dev.portgate.ssh;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few calls of the system's OpenSSL 3 libcrypto that SSH's ChaCha20-Poly1305 needs — the library OpenSSH
 * itself runs on, with the CPU's vector units. Bound once, by JNA's direct mapping; absent (no libcrypto.so.3,
 * or {@code -Dportgate.crypto=jdk}), portgate's Java code runs instead.
 */
final class LibCrypto {

    private static final Logger log = LoggerFactory.getLogger(LibCrypto.class);
    private static Pointer poly1305;
    private static final boolean AVAILABLE = bind();

    private LibCrypto() {}

    static boolean available() {
        return AVAILABLE;
    }

    /** OpenSSL's Poly1305 MAC, fetched once (a fetch takes a lock and a lookup). */
    static Pointer poly1305() {
        return poly1305;
    }

    private static boolean bind() {
        if (!NativeCrypto.wanted()) {
            log.info("SSH ChaCha20-Poly1305: portgate's Java code (portgate.crypto=jdk)");
            return false;
        }
        try {
            Native.register(LibCrypto.class, NativeLibrary.getInstance("libcrypto.so.3"));
            poly1305 = EVP_MAC_fetch(null, "POLY1305", null);
            if (EVP_chacha20() == null || poly1305 == null) {
                log.info("SSH ChaCha20-Poly1305: portgate's Java code (libcrypto has no ChaCha20 or Poly1305)");
                return false;
            }
            return true;
        } catch (LinkageError e) {
            log.info("SSH ChaCha20-Poly1305: portgate's Java code (no OpenSSL 3 libcrypto: {})", e.getMessage());
            return false;
        }
    }

    static native Pointer EVP_chacha20();

    static native Pointer EVP_CIPHER_CTX_new();

    static native void EVP_CIPHER_CTX_free(Pointer ctx);

    static native int EVP_CipherInit_ex(Pointer ctx, Pointer cipher, Pointer engine, byte[] key, byte[] iv, int enc);

    static native int EVP_CipherUpdate(Pointer ctx, Pointer out, int[] outLength, Pointer in, int inLength);

    static native int EVP_CipherUpdate(Pointer ctx, byte[] out, int[] outLength, byte[] in, int inLength);

    static native Pointer EVP_MAC_fetch(Pointer libctx, String algorithm, String properties);

    static native Pointer EVP_MAC_CTX_new(Pointer mac);

    static native void EVP_MAC_CTX_free(Pointer ctx);

    static native int EVP_MAC_init(Pointer ctx, Pointer key, long keyLength, Pointer params);

    static native int EVP_MAC_update(Pointer ctx, Pointer data, long length);

    static native int EVP_MAC_update(Pointer ctx, byte[] data, long length);

    static native int EVP_MAC_final(Pointer ctx, byte[] out, long[] outLength, long outSize);
}
