package dev.portgate.ssh;

import java.util.List;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.kex.KeyExchangeFactory;

/**
 * The ciphers portgate's SSH client and server offer, by OpenSSH's names; ChaCha20-Poly1305 is portgate's own,
 * AES-GCM runs on AWS-LC where it loads.
 */
final class SshCiphers {

    /** The server's order: AES-GCM first, as it runs on the CPU's AES instructions. */
    static final List<NamedFactory<Cipher>> SERVER = List.of(
            AesGcm.AES128, AesGcm.AES256, ChaCha20Poly1305.FACTORY, BuiltinCiphers.aes128ctr, BuiltinCiphers.aes256ctr);

    private SshCiphers() {}

    /**
     * MINA's key exchanges without sntrup761x25519: with Bouncy Castle on the class path (for ACME) MINA offers it,
     * OpenSSH picks it first, and in Java it costs enough per exchange that a session rekeying every 256 KiB could
     * not move 16 MiB in 30 s (SshServerIT). curve25519 (and ML-KEM where offered) remain.
     */
    static List<KeyExchangeFactory> withoutSlowKex(List<KeyExchangeFactory> offered) {
        return offered.stream()
                .filter(k -> !k.getName().startsWith("sntrup761"))
                .toList();
    }

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
