package dev.portgate.http;

import dev.portgate.forward.HostPattern;
import dev.portgate.net.KeyStores;
import dev.portgate.net.TlsContexts;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates the https port shows: one per site name, self-signed and kept under {@code <data>/tls/sites/}
 * (made once, when the site starts — never on an event loop), and a default one for names no site holds. Each
 * context offers HTTP/2 and HTTP/1.1 by ALPN.
 */
final class SiteCertificates {

    private static final Logger log = LoggerFactory.getLogger(SiteCertificates.class);
    private static final String DEFAULT = "portgate-default";

    private final Path dir;
    private final Map<HostPattern, SslContext> sites = new ConcurrentHashMap<>();
    private volatile SslContext fallback;

    SiteCertificates(Path dir) {
        this.dir = dir;
    }

    /** Makes (or loads) the certificate of a site's name; blocks for the key generation the first time. */
    void prepare(HostPattern host) throws IOException {
        if (!sites.containsKey(host)) {
            String file =
                    host.wildcard() ? "_wildcard." + host.name() : host.name().toString();
            KeyStores.KeyStoreFile store =
                    KeyStores.selfSigned(dir.resolve(file + ".p12"), "portgate " + host, host.toString());
            sites.put(host, context(store));
            log.info("https: site {} uses a self-signed certificate, SHA-256 {}", host, KeyStores.fingerprint(store));
        }
    }

    /** The context for names no site holds (and clients that send no name): a 404 page behind a self-signed certificate. */
    SslContext fallback() throws IOException {
        SslContext c = fallback;
        if (c == null) {
            c = context(KeyStores.selfSigned(dir.resolve(DEFAULT + ".p12"), DEFAULT, "localhost"));
            fallback = c;
        }
        return c;
    }

    SslContext contextFor(HostPattern host) throws IOException {
        SslContext c = sites.get(host);
        return c != null ? c : fallback();
    }

    private static SslContext context(KeyStores.KeyStoreFile store) throws IOException {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(KeyStores.load(store), store.password().toCharArray());
            return SslContextBuilder.forServer(kmf)
                    .sslProvider(TlsContexts.provider())
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2,
                            ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IOException("the key store " + store.path() + " cannot be used: " + e.getMessage(), e);
        }
    }
}
