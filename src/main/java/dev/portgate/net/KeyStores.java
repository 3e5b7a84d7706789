package dev.portgate.net;

import dev.portgate.policy.PasswordHash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PKCS#12 key stores for TLS: self-signed ones made on first use with the JDK's own keytool (no extra
 * crypto library), kept with their password in files of mode 0600, and their SHA-256 fingerprints.
 */
public final class KeyStores {

    /** A PKCS#12 key store and its password. */
    public record KeyStoreFile(Path path, String password) {}

    private KeyStores() {}

    /**
     * The self-signed key store at {@code store} (password beside it in {@code store}.password), made
     * now if missing, for {@code cn} and the host it serves.
     */
    public static KeyStoreFile selfSigned(Path store, String cn, String host) throws IOException {
        Path pass = store.resolveSibling(store.getFileName() + ".password");
        if (Files.exists(store) && Files.exists(pass)) {
            return new KeyStoreFile(store, Files.readString(pass).strip());
        }
        Files.createDirectories(store.toAbsolutePath().getParent());
        Files.deleteIfExists(store);
        String password = PasswordHash.randomSecret(18);
        String san =
                (host.matches("[0-9.]+") || host.contains(":") ? "ip:" : "dns:") + host + ",dns:localhost,ip:127.0.0.1";
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(List.of(
                        keytool.toString(),
                        "-genkeypair",
                        "-alias",
                        "portgate",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-sigalg",
                        "SHA256withECDSA",
                        "-dname",
                        "CN=" + cn,
                        "-ext",
                        "SAN=" + san,
                        "-validity",
                        "3650",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        password))
                .redirectErrorStream(true)
                .start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool could not make a certificate: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making a certificate");
        }
        Files.writeString(pass, password);
        for (Path f : List.of(store, pass)) {
            try {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not POSIX: the data folder's own permissions protect it
            }
        }
        return new KeyStoreFile(store, password);
    }

    public static KeyStore load(KeyStoreFile file) throws IOException {
        try (InputStream in = Files.newInputStream(file.path())) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, file.password().toCharArray());
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key store " + file.path() + ": " + e.getMessage(), e);
        }
    }

    /** SHA-256 fingerprint of the key store's certificate, as browsers show it (AB:CD:…). */
    public static String fingerprint(KeyStoreFile file) throws IOException {
        try {
            KeyStore ks = load(file);
            Certificate cert = ks.getCertificate(ks.aliases().nextElement());
            return fingerprint(cert);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key store " + file.path() + ": " + e.getMessage(), e);
        }
    }

    public static String fingerprint(Certificate cert) throws GeneralSecurityException {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    }
}
