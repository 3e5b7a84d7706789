package dev.portgate.ssh;

import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.mac.Mac;
import org.apache.sshd.common.mac.Poly1305Mac;

/**
 * {@code chacha20-poly1305@openssh.com} with the JDK's ChaCha20 for the key stream — on JDK 20 and later it runs
 * on the CPU's vector units, several times MINA's own Java ChaCha20 — and Poly1305 as MINA computes it.
 * <p>
 * The SSH construction (OpenSSH's PROTOCOL.chacha20poly1305) is not RFC 8439's AEAD: the packet length is
 * encrypted with the second half of the key, and the tag is Poly1305 over the encrypted length and payload
 * only, keyed by the first 32 bytes of block 0. SSH's ChaCha20 takes a 64-bit block counter and a 64-bit nonce
 * (the packet's sequence number); the JDK's takes a 32-bit counter and a 96-bit nonce, which is the same
 * state as long as the counter's high word is zero — four zero bytes before the sequence number — and a packet
 * is far shorter than 2^32 blocks.
 */
final class ChaCha20Poly1305 implements Cipher {

    static final String NAME = "chacha20-poly1305@openssh.com";

    /** Offered under OpenSSH's name, in place of MINA's. */
    static final NamedFactory<Cipher> FACTORY = new NamedFactory<>() {
        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public Cipher create() {
            return new ChaCha20Poly1305();
        }
    };

    private static final byte[] BLOCK_ZERO = new byte[64];

    private final Mac poly = new Poly1305Mac();
    private final byte[] nonce = new byte[12];
    private final byte[] block0 = new byte[64];
    private final byte[] polyKey = new byte[32];
    private final byte[] tag = new byte[16];
    private javax.crypto.Cipher header;
    private javax.crypto.Cipher body;
    private SecretKeySpec headerKey;
    private SecretKeySpec bodyKey;
    private Mode mode;
    private long sequence;
    private long firstSequence;

    @Override
    public void init(Mode mode, byte[] key, byte[] iv) throws Exception {
        if (key.length < 64 || iv.length < 8) {
            throw new IllegalArgumentException("chacha20-poly1305 needs a 64-byte key and an 8-byte sequence number");
        }
        if (iv[0] != 0 || iv[1] != 0 || iv[2] != 0 || iv[3] != 0) {
            throw new IllegalArgumentException("chacha20-poly1305: not a 32-bit SSH packet sequence number");
        }
        this.mode = mode;
        this.bodyKey = new SecretKeySpec(Arrays.copyOfRange(key, 0, 32), "ChaCha20");
        this.headerKey = new SecretKeySpec(Arrays.copyOfRange(key, 32, 64), "ChaCha20");
        this.header = javax.crypto.Cipher.getInstance("ChaCha20");
        this.body = javax.crypto.Cipher.getInstance("ChaCha20");
        this.sequence = ((iv[4] & 0xffL) << 24) | ((iv[5] & 0xffL) << 16) | ((iv[6] & 0xffL) << 8) | (iv[7] & 0xffL);
        this.firstSequence = sequence;
        startPacket();
    }

    /** Keys the length's stream, the MAC and the payload's stream for the packet numbered {@code sequence}. */
    private void startPacket() throws Exception {
        nonce[8] = (byte) (sequence >>> 24);
        nonce[9] = (byte) (sequence >>> 16);
        nonce[10] = (byte) (sequence >>> 8);
        nonce[11] = (byte) sequence;
        // Always the JDK's "decrypt" mode: XOR with the stream either way, and it does not refuse the second
        // use of a key and nonce that SSH makes on purpose (block 0 keys the MAC, the payload starts at block 1).
        header.init(javax.crypto.Cipher.DECRYPT_MODE, headerKey, new ChaCha20ParameterSpec(nonce, 0));
        body.init(javax.crypto.Cipher.DECRYPT_MODE, bodyKey, new ChaCha20ParameterSpec(nonce, 0));
        body.update(BLOCK_ZERO, 0, 64, block0, 0);
        System.arraycopy(block0, 0, polyKey, 0, 32);
        poly.init(polyKey);
    }

    @Override
    public void updateAAD(byte[] data, int offset, int length) throws Exception {
        if (length != 4) {
            throw new IllegalArgumentException("chacha20-poly1305 authenticates only the 4-byte packet length");
        }
        if (mode == Mode.Decrypt) {
            poly.update(data, offset, length);
        }
        header.update(data, offset, length, data, offset);
        if (mode == Mode.Encrypt) {
            poly.update(data, offset, length);
        }
    }

    @Override
    public void update(byte[] data, int offset, int length) throws Exception {
        if (mode == Mode.Decrypt) {
            poly.update(data, offset, length);
            poly.doFinal(tag, 0);
            int diff = 0;
            for (int i = 0; i < 16; i++) {
                diff |= tag[i] ^ data[offset + length + i];  // every byte compared: no timing hint of where it differs
            }
            if (diff != 0) {
                throw new AEADBadTagException("chacha20-poly1305: the packet's tag does not match");
            }
            body.update(data, offset, length, data, offset);
        } else {
            body.update(data, offset, length, data, offset);
            poly.update(data, offset, length);
            poly.doFinal(data, offset + length);
        }
        sequence = (sequence + 1) & 0xffffffffL;
        if (sequence == firstSequence) {
            throw new IllegalStateException("chacha20-poly1305: 2^32 packets under one key; a rekey was due long ago");
        }
        startPacket();
    }

    /** "ChaCha…" is what tells MINA to pass the packet sequence number as this cipher's IV. */
    @Override
    public String getAlgorithm() {
        return "ChaCha20";
    }

    @Override
    public String getTransformation() {
        return "ChaCha20";
    }

    @Override
    public int getIVSize() {
        return 8;
    }

    @Override
    public int getAuthenticationTagSize() {
        return 16;
    }

    @Override
    public int getCipherBlockSize() {
        return 8;
    }

    @Override
    public int getKdfSize() {
        return 64;
    }

    @Override
    public int getKeySize() {
        return 512;
    }
}
