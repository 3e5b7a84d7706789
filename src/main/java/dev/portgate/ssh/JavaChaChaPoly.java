package dev.portgate.ssh;

import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.common.mac.Mac;
import org.apache.sshd.common.mac.Poly1305Mac;

/**
 * The JDK's ChaCha20 (on JDK 20 and later on the CPU's vector units; plain Java before) and MINA's Poly1305:
 * the engine wherever the system's libcrypto is not there.
 */
final class JavaChaChaPoly implements ChaChaPoly {

    private static final byte[] BLOCK_ZERO = new byte[64];

    private final Mac poly = new Poly1305Mac();
    private final byte[] block0 = new byte[64];
    private final byte[] polyKey = new byte[32];
    private final byte[] tag = new byte[16];
    private final Cipher lengthStream = Cipher.getInstance("ChaCha20");
    private final Cipher payloadStream = Cipher.getInstance("ChaCha20");
    private final SecretKeySpec lengthKey;
    private final SecretKeySpec payloadKey;

    JavaChaChaPoly(byte[] payloadKey, byte[] lengthKey) throws Exception {
        this.payloadKey = new SecretKeySpec(payloadKey, "ChaCha20");
        this.lengthKey = new SecretKeySpec(lengthKey, "ChaCha20");
    }

    @Override
    public void start(byte[] nonce) throws Exception {
        // Always the JDK's "decrypt" mode: XOR with the stream either way, and it does not refuse the second
        // use of a key and nonce that SSH makes on purpose (block 0 keys the MAC, the payload starts at block 1).
        lengthStream.init(Cipher.DECRYPT_MODE, lengthKey, new ChaCha20ParameterSpec(nonce, 0));
        payloadStream.init(Cipher.DECRYPT_MODE, payloadKey, new ChaCha20ParameterSpec(nonce, 0));
        payloadStream.update(BLOCK_ZERO, 0, 64, block0, 0);
        System.arraycopy(block0, 0, polyKey, 0, 32);
        poly.init(polyKey);
    }

    @Override
    public void length(byte[] data, int offset) throws Exception {
        lengthStream.update(data, offset, 4, data, offset);
    }

    @Override
    public void seal(byte[] encryptedLength, byte[] data, int offset, int length) throws Exception {
        payloadStream.update(data, offset, length, data, offset);
        poly.update(encryptedLength, 0, 4);
        poly.update(data, offset, length);
        poly.doFinal(data, offset + length);
    }

    @Override
    public boolean open(byte[] encryptedLength, byte[] data, int offset, int length) throws Exception {
        poly.update(encryptedLength, 0, 4);
        poly.update(data, offset, length);
        poly.doFinal(tag, 0);
        if (!ChaChaPoly.tagMatches(tag, data, offset + length)) {
            return false;
        }
        payloadStream.update(data, offset, length, data, offset);
        return true;
    }
}
