package dev.portgate.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.shredzone.acme4j.util.KeyPairUtils;

/**
 * Keys and certificate chains as PEM files in the data folder. Keys are written 0600, and every file is written
 * beside its place and moved in, so a crash never leaves half a key.
 */
final class PemFiles {

    private PemFiles() {}

    static KeyPair readKeyPair(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            return KeyPairUtils.readKeyPair(r);
        }
    }

    static void writeKeyPair(Path file, KeyPair keys) throws IOException {
        StringWriter pem = new StringWriter();
        KeyPairUtils.writeKeyPair(keys, pem);
        write(file, pem.toString(), true);
    }

    static List<X509Certificate> readChain(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> chain = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                chain.add((X509Certificate) c);
            }
            if (chain.isEmpty()) {
                throw new IOException(file + " holds no certificate");
            }
            return chain;
        } catch (CertificateException e) {
            throw new IOException(file + " is not a PEM certificate chain: " + e.getMessage(), e);
        }
    }

    static void writeChain(Path file, List<X509Certificate> chain) throws IOException {
        StringWriter pem = new StringWriter();
        try {
            for (X509Certificate c : chain) {
                certificate(pem, c);
            }
        } catch (CertificateEncodingException e) {
            throw new IOException("cannot encode a certificate: " + e.getMessage(), e);
        }
        write(file, pem.toString(), false);
    }

    private static void certificate(Writer w, X509Certificate c) throws IOException, CertificateEncodingException {
        w.write("-----BEGIN CERTIFICATE-----\n");
        w.write(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded()));
        w.write("\n-----END CERTIFICATE-----\n");
    }

    private static void write(Path file, String text, boolean secret) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
