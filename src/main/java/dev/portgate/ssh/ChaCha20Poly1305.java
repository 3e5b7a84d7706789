package dev.portgate.ssh;

import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.Cipher;

/**
 * {@code chacha20-poly1305@openssh.com}: the SSH packet framing here, the arithmetic in an engine — OpenSSL's
 * ({@link OpenSslChaChaPoly}) where the system's libcrypto 3 is there, else the JDK's ChaCha20 and MINA's Poly1305
 * ({@link JavaChaChaPoly}).
 * <p>
 * The SSH construction (OpenSSH's PROTOCOL.chacha20poly1305) is not RFC 8439's AEAD: the packet length is
 * encrypted with the second half of the key, and the tag is Poly1305 over the encrypted length and payload
 * only, keyed by the first 32 bytes of block 0. SSH's ChaCha20 takes a 64-bit block counter and a 64-bit nonce
 * (the packet's sequence number); RFC 7539's, as the JDK and OpenSSL take it, a 32-bit counter and a 96-bit nonce, which is the same
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
            return new ChaCha20Poly1305(ChaChaEngines.best());
        }
    };

    private final ChaChaPoly.Maker maker;
    private final byte[] nonce = new byte[12];
    private final byte[] encryptedLength = new byte[4];
    private ChaChaPoly engine;
    private Mode mode;
    private long sequence;
    private long firstSequence;

    ChaCha20Poly1305(ChaChaPoly.Maker maker) {
        this.maker = maker;
    }

    @Override
    public void init(Mode mode, byte[] key, byte[] iv) throws Exception {
        if (key.length < 64 || iv.length < 8) {
            throw new IllegalArgumentException("chacha20-poly1305 needs a 64-byte key and an 8-byte sequence number");
        }
        if (iv[0] != 0 || iv[1] != 0 || iv[2] != 0 || iv[3] != 0) {
            throw new IllegalArgumentException("chacha20-poly1305: not a 32-bit SSH packet sequence number");
        }
        this.mode = mode;
        this.engine = maker.make(Arrays.copyOfRange(key, 0, 32), Arrays.copyOfRange(key, 32, 64));
        this.sequence = ((iv[4] & 0xffL) << 24) | ((iv[5] & 0xffL) << 16) | ((iv[6] & 0xffL) << 8) | (iv[7] & 0xffL);
        this.firstSequence = sequence;
        startPacket();
    }

    /** Starts the packet numbered {@code sequence}: RFC 7539's nonce is four zero bytes, then SSH's 64-bit one. */
    private void startPacket() throws Exception {
        nonce[8] = (byte) (sequence >>> 24);
        nonce[9] = (byte) (sequence >>> 16);
        nonce[10] = (byte) (sequence >>> 8);
        nonce[11] = (byte) sequence;
        engine.start(nonce);
    }

    @Override
    public void updateAAD(byte[] data, int offset, int length) throws Exception {
        if (length != 4) {
            throw new IllegalArgumentException("chacha20-poly1305 authenticates only the 4-byte packet length");
        }
        if (mode == Mode.Decrypt) {
            System.arraycopy(data, offset, encryptedLength, 0, 4);
        }
        engine.length(data, offset);
        if (mode == Mode.Encrypt) {
            System.arraycopy(data, offset, encryptedLength, 0, 4);
        }
    }

    @Override
    public void update(byte[] data, int offset, int length) throws Exception {
        if (mode == Mode.Decrypt) {
            if (!engine.open(encryptedLength, data, offset, length)) {
                throw new AEADBadTagException("chacha20-poly1305: the packet's tag does not match");
            }
        } else {
            engine.seal(encryptedLength, data, offset, length);
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
