package dev.portgate.http;

import dev.portgate.forward.HostName;
import dev.portgate.store.FileShelf;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * tls-alpn-01 in a cluster. The node that orders puts the validation certificate and its key into the store while
 * the check is open; a node the CA reaches instead takes them from there when the CA's {@code acme-tls/1} handshake
 * comes, so the CA may reach whichever node the name leads to. The key lives one check and proves nothing else.
 */
final class TlsAlpnShelf implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TlsAlpnShelf.class);

    private static final int WAITING = 16;

    private final FileShelf shelf;
    /** The data folder's copies: {@code NAME.key.pem} and {@code NAME.crt.pem}. */
    private final Path dir;
    /**
     * The store is read here, never on the event loop that holds the CA's handshake; one read at a time and a few
     * waiting, so a flood of acme-tls/1 hellos from strangers is refused rather than queued against the store.
     */
    private final ExecutorService reader =
            new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(WAITING), r -> {
                Thread t = new Thread(r, "acme-tls-alpn");
                t.setDaemon(true);
                return t;
            });

    TlsAlpnShelf(FileShelf shelf, Path dir) {
        this.shelf = shelf;
        this.dir = dir;
    }

    /** Puts the open check's certificate and key into the store for the other nodes. */
    void publish(HostName name, KeyPair keys, X509Certificate proof) throws IOException {
        Files.createDirectories(dir);
        PemFiles.writeKeyPair(key(name), keys);
        PemFiles.writeChain(certificate(name), List.of(proof));
        shelf.push(key(name));
        shelf.push(certificate(name));
    }

    /** Takes them out again once the check is over, whatever its outcome. */
    void withdraw(HostName name) {
        try {
            shelf.remove(key(name));
            shelf.remove(certificate(name));
            Files.deleteIfExists(key(name));
            Files.deleteIfExists(certificate(name));
        } catch (IOException | RuntimeException e) {
            log.warn("https: cannot take the tls-alpn-01 check for {} out of the store: {}", name, e.getMessage());
        }
    }

    /** The validation context another node published for {@code name}, completed on {@code loop}; null: none. */
    Future<SslContext> find(HostName name, EventExecutor loop) {
        Promise<SslContext> found = loop.newPromise();
        try {
            reader.execute(() -> {
                try {
                    boolean there = shelf.pull(key(name)) && shelf.pull(certificate(name));
                    found.trySuccess(
                            there
                                    ? AcmeClient.validationContext(
                                            PemFiles.readKeyPair(key(name), "RSA"),
                                            PemFiles.readChain(certificate(name))
                                                    .get(0))
                                    : null);
                } catch (IOException | RuntimeException e) {
                    log.warn(
                            "https: cannot read the tls-alpn-01 check for {} from the store: {}", name, e.getMessage());
                    found.trySuccess(null);
                }
            });
        } catch (RejectedExecutionException closed) {
            found.trySuccess(null);
        }
        return found;
    }

    private Path key(HostName name) {
        return dir.resolve(name + ".key.pem");
    }

    private Path certificate(HostName name) {
        return dir.resolve(name + ".crt.pem");
    }

    @Override
    public void close() {
        reader.shutdownNow();
    }
}
