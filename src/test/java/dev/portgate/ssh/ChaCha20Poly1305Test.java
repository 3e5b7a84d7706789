package dev.portgate.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portgate.testing.Peers;
import java.util.List;
import java.util.Random;
import javax.crypto.AEADBadTagException;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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

    /** The engines under test: the Java one always, OpenSSL's where libcrypto 3 is (CI requires it). */
    static List<String> engines() {
        return List.of("java", "openssl");
    }

    private Cipher ours(String engine, Cipher.Mode mode) throws Exception {
        ChaChaPoly.Maker maker = JavaChaChaPoly::new;
        if (engine.equals("openssl")) {
            if (!LibCrypto.available()) {
                Peers.unavailable("the system's OpenSSL 3 libcrypto (libcrypto.so.3) did not load");
            }
            maker = OpenSslChaChaPoly::new;
        }
        Cipher c = new ChaCha20Poly1305(maker);
        c.init(mode, key, sequence);
        return c;
    }

    private Cipher mina(Cipher.Mode mode) throws Exception {
        Cipher c = BuiltinCiphers.cc20p1305_openssh.create();
        c.init(mode, key, sequence);
        return c;
    }

    @ParameterizedTest
    @MethodSource("engines")
    void sealsEveryPacketOfAStreamAsMinaDoesAndOpensMinas(String engine) throws Exception {
        Cipher oursOut = ours(engine, Cipher.Mode.Encrypt);
        Cipher minaOut = mina(Cipher.Mode.Encrypt);
        Cipher oursIn = ours(engine, Cipher.Mode.Decrypt);
        Cipher minaIn = mina(Cipher.Mode.Decrypt);
        SshPackets.assertSameStreamAsMina(
                oursOut,
                minaOut,
                oursIn,
                minaIn,
                new int[] {8, 16, 63, 64, 65, 1000, 32768 + 8, 4, 255, 100_000, 0, 48},
                this::bytes);
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aPacketWithAFlippedBitIsRefused(String engine) throws Exception {
        byte[] payload = bytes(100);
        byte[] sealed = SshPackets.seal(ours(engine, Cipher.Mode.Encrypt), payload);
        sealed[50] ^= 1;
        assertThatThrownBy(() -> SshPackets.open(ours(engine, Cipher.Mode.Decrypt), sealed))
                .isInstanceOf(AEADBadTagException.class);
        byte[] tagFlipped = SshPackets.seal(ours(engine, Cipher.Mode.Encrypt), payload);
        tagFlipped[tagFlipped.length - 1] ^= (byte) 0x80;
        assertThatThrownBy(() -> SshPackets.open(ours(engine, Cipher.Mode.Decrypt), tagFlipped))
                .isInstanceOf(AEADBadTagException.class);
    }

    @Test
    void theCipherOfferedRunsOnOpenSslWhereLibcrypto3LoadsAndPassesItsTestPackets() {
        if (!LibCrypto.available()) {
            Peers.unavailable("the system's OpenSSL 3 libcrypto (libcrypto.so.3) did not load");
        }
        assertThat(ChaChaEngines.onOpenSsl()).isTrue();
    }

    @Test
    void aNonceThatIsNotA32BitSequenceNumberIsRefused() {
        byte[] bad = {0, 0, 0, 1, 0, 0, 0, 0};
        assertThatThrownBy(() -> ChaCha20Poly1305.FACTORY.create().init(Cipher.Mode.Encrypt, key, bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sequence number");
    }
}
