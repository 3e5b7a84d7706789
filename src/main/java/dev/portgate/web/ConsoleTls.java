package dev.portgate.web;

import dev.portgate.net.KeyStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The console's TLS key store: one the operator gives, or a self-signed one made on first use and
 * kept in the data folder (mode 0600), with its fingerprint to check.
 */
public final class ConsoleTls {

    private ConsoleTls() {}

    /** The data folder's self-signed key store, made now if missing, for a console bound to {@code host}. */
    public static KeyStores.KeyStoreFile selfSigned(Path data, String host) throws IOException {
        Path store = data.resolve("console.p12");
        if (!Files.exists(store.resolveSibling("console.p12.password"))) {
            Files.deleteIfExists(store);
        }
        return KeyStores.selfSigned(store, "portgate console", host);
    }

    public static String fingerprint(KeyStores.KeyStoreFile file) throws IOException {
        return KeyStores.fingerprint(file);
    }
}
