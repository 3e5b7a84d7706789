package dev.portgate.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import javax.crypto.AEADBadTagException;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.junit.jupiter.api.Test;

/** portgate's chacha20-poly1305@openssh.com against MINA's, packet by packet (OpenSSH interop is in the ITs). */
class ChaCha20Poly1305Test {

    private final Random random = new Random(42);
    private final byte[] key = bytes(64);
    private final byte[] sequence = {0, 0, 0, 0, 0, 0, 0, 3};

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** An SSH packet: 4-byte length, payload, room for the 16-byte tag; encrypted in place. */
    private static byte[] seal(Cipher c, byte[] payload) throws Exception {
        byte[] packet = new byte[4 + payload.length + 16];
        packet[0] = (byte) (payload.length >>> 24);
        packet[1] = (byte) (payload.length >>> 16);
        packet[2] = (byte) (payload.length >>> 8);
        packet[3] = (byte) payload.length;
        System.arraycopy(payload, 0, packet, 4, payload.length);
        c.updateAAD(packet, 0, 4);
        c.update(packet, 4, payload.length);
        return packet;
    }

    private static byte[] open(Cipher c, byte[] packet) throws Exception {
        byte[] p = packet.clone();
        c.updateAAD(p, 0, 4);
        int length = ((p[0] & 0xff) << 24) | ((p[1] & 0xff) << 16) | ((p[2] & 0xff) << 8) | (p[3] & 0xff);
        c.update(p, 4, length);
        return Arrays.copyOfRange(p, 4, 4 + length);
    }

    private Cipher ours(Cipher.Mode mode) throws Exception {
        Cipher c = ChaCha20Poly1305.FACTORY.create();
        c.init(mode, key, sequence);
        return c;
    }

    private Cipher mina(Cipher.Mode mode) throws Exception {
        Cipher c = BuiltinCiphers.cc20p1305_openssh.create();
        c.init(mode, key, sequence);
        return c;
    }

    @Test
    void sealsEveryPacketOfAStreamAsMinaDoesAndOpensMinas() throws Exception {
        Cipher oursOut = ours(Cipher.Mode.Encrypt);
        Cipher minaOut = mina(Cipher.Mode.Encrypt);
        Cipher oursIn = ours(Cipher.Mode.Decrypt);
        Cipher minaIn = mina(Cipher.Mode.Decrypt);
        for (int size : new int[] {8, 16, 63, 64, 65, 1000, 32768 + 8, 4, 255}) {
            byte[] payload = bytes(size);
            byte[] sealed = seal(oursOut, payload);
            assertThat(sealed).as("packet of %d bytes", size).isEqualTo(seal(minaOut, payload));
            assertThat(open(minaIn, sealed)).isEqualTo(payload);
            assertThat(open(oursIn, sealed)).isEqualTo(payload);
        }
    }

    @Test
    void aPacketWithAFlippedBitIsRefused() throws Exception {
        byte[] payload = bytes(100);
        byte[] sealed = seal(ours(Cipher.Mode.Encrypt), payload);
        sealed[50] ^= 1;
        assertThatThrownBy(() -> open(ours(Cipher.Mode.Decrypt), sealed)).isInstanceOf(AEADBadTagException.class);
        byte[] tagFlipped = seal(ours(Cipher.Mode.Encrypt), payload);
        tagFlipped[tagFlipped.length - 1] ^= (byte) 0x80;
        assertThatThrownBy(() -> open(ours(Cipher.Mode.Decrypt), tagFlipped)).isInstanceOf(AEADBadTagException.class);
    }

    @Test
    void aNonceThatIsNotA32BitSequenceNumberIsRefused() {
        byte[] bad = {0, 0, 0, 1, 0, 0, 0, 0};
        assertThatThrownBy(() -> ChaCha20Poly1305.FACTORY.create().init(Cipher.Mode.Encrypt, key, bad))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sequence number");
    }
}
