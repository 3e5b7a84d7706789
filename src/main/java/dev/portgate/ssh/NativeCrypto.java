package dev.portgate.ssh;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Provider;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AWS-LC through the Amazon Corretto Crypto Provider, for SSH's AES-GCM: on this kind of CPU it seals and opens a
 * 32 KiB packet in half the JDK 17's time (and JDK 25's). Its native library ships for Linux x86-64 only; elsewhere,
 * or with {@code -Dportgate.crypto=jdk}, SSH uses the JDK's.
 */
final class NativeCrypto {

    private static final Logger log = LoggerFactory.getLogger(NativeCrypto.class);
    private static final Optional<Provider> AES_GCM = load();

    private NativeCrypto() {}

    /** The provider for "AES/GCM/NoPadding", if the native one loaded and passed its self-tests. */
    static Optional<Provider> aesGcm() {
        return AES_GCM;
    }

    /** False with {@code -Dportgate.crypto=jdk}: SSH then computes on the JDK and in Java only. */
    static boolean wanted() {
        return !"jdk".equals(System.getProperty("portgate.crypto"));
    }

    private static Optional<Provider> load() {
        if (!wanted()) {
            log.info("SSH AES-GCM: the JDK's (portgate.crypto=jdk)");
            return Optional.empty();
        }
        try {
            AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
            Throwable error = accp.getLoadingError();
            if (error != null) {
                log.info("SSH AES-GCM: the JDK's (AWS-LC did not load: {})", error.toString());
                return Optional.empty();
            }
            accp.assertHealthy();
            log.debug("SSH AES-GCM: AWS-LC ({} {})", accp.getName(), accp.getVersionStr());
            return Optional.of(accp);
        } catch (LinkageError | RuntimeException e) {
            log.info("SSH AES-GCM: the JDK's (AWS-LC unusable: {})", e.toString());
            return Optional.empty();
        }
    }
}
