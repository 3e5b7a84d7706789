package dev.portgate.ssh;

import java.util.List;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;

/**
 * The ciphers portgate's SSH client and server offer, by OpenSSH's names; ChaCha20-Poly1305 is portgate's own,
 * AES-GCM runs on AWS-LC where it loads.
 */
final class SshCiphers {

    /** The server's order: AES-GCM first, as it runs on the CPU's AES instructions. */
    static final List<NamedFactory<Cipher>> SERVER = List.of(
            AesGcm.AES128, AesGcm.AES256, ChaCha20Poly1305.FACTORY, BuiltinCiphers.aes128ctr, BuiltinCiphers.aes256ctr);

    private SshCiphers() {}

    /** The cipher called {@code name}, or null if portgate cannot run it (or it is "none"). */
    static NamedFactory<Cipher> named(String name) {
        if (ChaCha20Poly1305.NAME.equals(name)) {
            return ChaCha20Poly1305.FACTORY;
        }
        if (AesGcm.AES128.getName().equals(name)) {
            return AesGcm.AES128;
        }
        if (AesGcm.AES256.getName().equals(name)) {
            return AesGcm.AES256;
        }
        BuiltinCiphers c = BuiltinCiphers.fromFactoryName(name);
        return c == null || !c.isSupported() || c == BuiltinCiphers.none ? null : c;
    }
}
