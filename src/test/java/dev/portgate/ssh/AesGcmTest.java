package dev.portgate.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import javax.crypto.AEADBadTagException;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** portgate's AES-GCM against MINA's on the JDK, packet by packet, across a stream (OpenSSH interop is in the ITs). */
class AesGcmTest {

    private final Random random = new Random(7);
    private final byte[] iv = bytes(12);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static Cipher started(NamedFactory<Cipher> f, Cipher.Mode mode, byte[] key, byte[] iv) throws Exception {
        Cipher c = f.create();
        c.init(mode, key, iv);
        return c;
    }

    @Test
    void onLinuxX8664TheNativeProviderIsTheOneInUse() {
        assumeTrue(
                System.getProperty("os.name").equals("Linux")
                        && System.getProperty("os.arch").equals("amd64"),
                "AWS-LC ships for Linux x86-64 only");
        assertThat(NativeCrypto.aesGcm()).as("AWS-LC's provider").isPresent();
        assertThat(AesGcm.AES128).isNotSameAs(BuiltinCiphers.aes128gcm);
    }

    @ParameterizedTest
    @ValueSource(strings = {"aes128-gcm@openssh.com", "aes256-gcm@openssh.com"})
    void sealsEveryPacketOfAStreamAsMinaDoesAndOpensMinas(String name) throws Exception {
        NamedFactory<Cipher> ours = SshCiphers.named(name);
        BuiltinCiphers mina = BuiltinCiphers.fromFactoryName(name);
        byte[] key = bytes(mina.getKdfSize());
        Cipher oursOut = started(ours, Cipher.Mode.Encrypt, key, iv);
        Cipher minaOut = started(mina, Cipher.Mode.Encrypt, key, iv);
        Cipher oursIn = started(ours, Cipher.Mode.Decrypt, key, iv);
        Cipher minaIn = started(mina, Cipher.Mode.Decrypt, key, iv);
        SshPackets.assertSameStreamAsMina(
                oursOut, minaOut, oursIn, minaIn, new int[] {16, 32, 1024, 32768 + 16, 48, 16}, this::bytes);
    }

    @Test
    void aPacketWithAFlippedBitOrReplayedOutOfOrderIsRefused() throws Exception {
        byte[] key = bytes(16);
        Cipher out = started(AesGcm.AES128, Cipher.Mode.Encrypt, key, iv);
        byte[] first = SshPackets.seal(out, bytes(64));
        byte[] second = SshPackets.seal(out, bytes(64));
        byte[] flipped = first.clone();
        flipped[20] ^= 1;
        assertThatThrownBy(() -> SshPackets.open(started(AesGcm.AES128, Cipher.Mode.Decrypt, key, iv), flipped))
                .isInstanceOf(AEADBadTagException.class);
        byte[] lengthFlipped = first.clone();
        lengthFlipped[3] ^= 16;
        assertThatThrownBy(() -> SshPackets.open(started(AesGcm.AES128, Cipher.Mode.Decrypt, key, iv), lengthFlipped))
                .isInstanceOf(Exception.class);
        // The nonce counts packets: the second packet does not open as the first.
        assertThatThrownBy(() -> SshPackets.open(started(AesGcm.AES128, Cipher.Mode.Decrypt, key, iv), second))
                .isInstanceOf(AEADBadTagException.class);
    }
}
