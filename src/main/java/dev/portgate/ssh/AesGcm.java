package dev.portgate.ssh;

import java.security.Provider;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BaseGCMCipher;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;

/**
 * {@code aes128-gcm@openssh.com} and {@code aes256-gcm@openssh.com} as MINA frames them, on a faster JCA provider
 * where one loads ({@link NativeCrypto}); MINA's own, on the JDK's GCM, where none does.
 */
final class AesGcm extends BaseGCMCipher {

    static final NamedFactory<Cipher> AES128 = factory(BuiltinCiphers.aes128gcm, 16, 128);
    static final NamedFactory<Cipher> AES256 = factory(BuiltinCiphers.aes256gcm, 32, 256);

    private final Provider provider;

    private AesGcm(Provider provider, int keyBytes, int keyBits) {
        super(12, 16, keyBytes, "AES", keyBits, "AES/GCM/NoPadding", 16);
        this.provider = provider;
    }

    private static NamedFactory<Cipher> factory(BuiltinCiphers mina, int keyBytes, int keyBits) {
        Provider provider = NativeCrypto.aesGcm().orElse(null);
        if (provider == null) {
            return mina;
        }
        return new NamedFactory<>() {
            @Override
            public String getName() {
                return mina.getName();
            }

            @Override
            public Cipher create() {
                return new AesGcm(provider, keyBytes, keyBits);
            }
        };
    }

    @Override
    protected javax.crypto.Cipher createCipherInstance(Mode mode, byte[] key, byte[] iv) throws Exception {
        // MINA's sets the mode, key and packet counter (and makes a JDK cipher, once per key exchange, unused).
        super.createCipherInstance(mode, key, iv);
        return javax.crypto.Cipher.getInstance(getTransformation(), provider);
    }
}
