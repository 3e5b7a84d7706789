package dev.portgate.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Keys and certificate chains as PEM files in the data folder. Keys are written 0600, and every file is written
 * beside its place and moved in, so a crash never leaves half a key.
 */
final class PemFiles {

    private PemFiles() {}

    /** A P-256 key pair: its PKCS#8 private key and X.509 public key, as two PEM blocks. */
    static KeyPair readKeyPair(Path file) throws IOException {
        return readKeyPair(file, "EC");
    }

    /** A key pair of {@code algorithm} ("EC", "RSA") written by {@link #writeKeyPair}. */
    static KeyPair readKeyPair(Path file, String algorithm) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        try {
            KeyFactory factory = KeyFactory.getInstance(algorithm);
            PrivateKey priv = factory.generatePrivate(new PKCS8EncodedKeySpec(block(text, "PRIVATE KEY", file)));
            PublicKey pub = factory.generatePublic(new X509EncodedKeySpec(block(text, "PUBLIC KEY", file)));
            return new KeyPair(pub, priv);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " does not hold an " + algorithm + " key pair: " + e.getMessage(), e);
        }
    }

    static void writeKeyPair(Path file, KeyPair keys) throws IOException {
        StringWriter pem = new StringWriter();
        block(pem, "PRIVATE KEY", keys.getPrivate().getEncoded());
        block(pem, "PUBLIC KEY", keys.getPublic().getEncoded());
        write(file, pem.toString(), true);
    }

    private static byte[] block(String text, String label, Path file) throws IOException {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int a = text.indexOf(begin);
        int b = a < 0 ? -1 : text.indexOf(end, a);
        if (b < 0) {
            throw new IOException(file + " has no " + label + " block");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(a + begin.length(), b));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": the " + label + " block is not base64", e);
        }
    }

    private static void block(Writer w, String label, byte[] der) throws IOException {
        w.write("-----BEGIN " + label + "-----\n");
        w.write(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der));
        w.write("\n-----END " + label + "-----\n");
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
        block(w, "CERTIFICATE", c.getEncoded());
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
