package dev.portgate.ssh;

import java.util.Arrays;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.cipher.Cipher.Mode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Which engine computes SSH's ChaCha20-Poly1305 here: OpenSSL's where it loads and passes a test, else the Java one. */
final class ChaChaEngines {

    private static final Logger log = LoggerFactory.getLogger(ChaChaEngines.class);
    private static final boolean ON_OPENSSL =
            LibCrypto.available() && agrees(OpenSslChaChaPoly::new, JavaChaChaPoly::new);

    private ChaChaEngines() {}

    static ChaChaPoly.Maker best() {
        return ON_OPENSSL ? OpenSslChaChaPoly::new : JavaChaChaPoly::new;
    }

    /** Whether {@link #best()} is OpenSSL's. */
    static boolean onOpenSsl() {
        return ON_OPENSSL;
    }

    /**
     * Whether {@code candidate} seals and opens a few packets exactly as {@code reference} does — checked once, so
     * that a libcrypto that loads but cannot run ChaCha20 (a FIPS-only configuration, say) fails here, not in the
     * middle of a key exchange.
     */
    private static boolean agrees(ChaChaPoly.Maker candidate, ChaChaPoly.Maker reference) {
        try {
            byte[] key = new byte[64];
            byte[] iv = {0, 0, 0, 0, 0, 0, 0, 7};
            for (int i = 0; i < key.length; i++) {
                key[i] = (byte) (i * 31 + 7);
            }
            Cipher ours = new ChaCha20Poly1305(candidate);
            Cipher theirs = new ChaCha20Poly1305(reference);
            Cipher open = new ChaCha20Poly1305(candidate);
            ours.init(Mode.Encrypt, key, iv);
            theirs.init(Mode.Encrypt, key, iv);
            open.init(Mode.Decrypt, key, iv);
            for (int size : new int[] {16, 1000, 40_000}) {
                byte[] a = testPacket(size);
                byte[] b = a.clone();
                ours.updateAAD(a, 0, 4);
                ours.update(a, 4, size);
                theirs.updateAAD(b, 0, 4);
                theirs.update(b, 4, size);
                if (!Arrays.equals(a, b)) {
                    log.info("SSH ChaCha20-Poly1305: portgate's Java code (libcrypto's result differs from it)");
                    return false;
                }
                open.updateAAD(a, 0, 4);
                open.update(a, 4, size);
                if (!Arrays.equals(
                        Arrays.copyOfRange(a, 4, 4 + size), Arrays.copyOfRange(testPacket(size), 4, 4 + size))) {
                    log.info("SSH ChaCha20-Poly1305: portgate's Java code (libcrypto does not open its own packets)");
                    return false;
                }
            }
            return true;
        } catch (Exception | LinkageError e) {
            log.info("SSH ChaCha20-Poly1305: portgate's Java code (libcrypto failed a test packet: {})", e.toString());
            return false;
        }
    }

    private static byte[] testPacket(int size) {
        byte[] p = new byte[4 + size + 16];
        p[0] = (byte) (size >>> 24);
        p[1] = (byte) (size >>> 16);
        p[2] = (byte) (size >>> 8);
        p[3] = (byte) size;
        for (int i = 0; i < size; i++) {
            p[4 + i] = (byte) (i ^ (i >>> 8));
        }
        return p;
    }
}
