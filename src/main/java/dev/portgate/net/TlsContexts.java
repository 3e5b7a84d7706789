package dev.portgate.net;

import dev.portgate.forward.Protection;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS contexts for forwards: the server side of {@code access: tls} (a given PEM certificate and key,
 * or a self-signed one made once per forward under {@code <data>/tls/}; client certificates required
 * when a CA is given) and the client side of {@code target-tls} (the JDK's trusted CAs, or a given
 * one). Built when a forward's listeners open, never per connection.
 */
public final class TlsContexts {

    private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);

    private record Server(Protection.Tls tls, SslContext context, String fingerprint) {}

    private final Path dir;
    private final Map<String, Server> servers = new ConcurrentHashMap<>();
    private final Map<Optional<Path>, SslContext> clients = new ConcurrentHashMap<>();

    public TlsContexts(Path dir) {
        this.dir = dir;
    }

    public SslContext server(String forward, Protection.Tls tls, String host) throws IOException {
        Server s = servers.get(forward);
        if (s != null && Objects.equals(s.tls(), tls)) {
            return s.context();
        }
        try {
            SslContextBuilder b;
            String fingerprint = "";
            if (tls.certificate() != null) {
                b = SslContextBuilder.forServer(
                        tls.certificate().toFile(), tls.key().toFile());
            } else {
                KeyStores.KeyStoreFile store =
                        KeyStores.selfSigned(dir.resolve(forward + ".p12"), "portgate " + forward, host);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(KeyStores.load(store), store.password().toCharArray());
                b = SslContextBuilder.forServer(kmf);
                fingerprint = KeyStores.fingerprint(store);
                log.info("forward \"{}\": TLS with a self-signed certificate, SHA-256 {}", forward, fingerprint);
            }
            if (tls.clientCa() != null) {
                b.trustManager(tls.clientCa().toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            SslContext context = b.sslProvider(provider()).build();
            servers.put(forward, new Server(tls, context, fingerprint));
            return context;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("TLS for forward \"" + forward + "\": " + e.getMessage(), e);
        } catch (SSLException e) {
            throw new IOException(
                    "TLS for forward \"" + forward + "\": the certificate, key or CA cannot be used: " + e.getMessage(),
                    e);
        }
    }

    /** BoringSSL (netty-tcnative) where its native library loads, the JDK's TLS elsewhere. */
    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** The self-signed certificate's fingerprint of a forward, if it has one. */
    public Optional<String> fingerprint(String forward) {
        Server s = servers.get(forward);
        return s == null || s.fingerprint().isEmpty() ? Optional.empty() : Optional.of(s.fingerprint());
    }

    public SslContext client(Path ca) throws IOException {
        try {
            return clients.computeIfAbsent(Optional.ofNullable(ca), k -> {
                try {
                    SslContextBuilder b = SslContextBuilder.forClient()
                            .endpointIdentificationAlgorithm("HTTPS")
                            .sslProvider(provider());
                    k.ifPresent(file -> b.trustManager(file.toFile()));
                    return b.build();
                } catch (SSLException | IllegalArgumentException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
        } catch (IllegalStateException e) {
            throw new IOException("target-tls: the CA " + ca + " cannot be used: " + e.getMessage(), e);
        }
    }
}
