package dev.portgate.http;

import dev.portgate.forward.BadHost;
import dev.portgate.forward.HostPattern;
import dev.portgate.net.TlsContexts;
import dev.portgate.store.FileShelf;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates the https port shows, one per site name. Each site starts with a self-signed one (made in
 * milliseconds, kept under {@code <data>/tls/sites/}); with {@code acme:} an exact name then gets one from the ACME
 * directory, kept under {@code <data>/tls/acme/}, renewed before it expires, and retried with a growing pause when the
 * CA refuses. All of that runs on one thread of its own; the event loops only read the current context.
 */
final class SiteCertificates implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SiteCertificates.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(30);
    private static final Duration LAST_RETRY = Duration.ofHours(1);
    private static final Duration CONFIGURE_WAIT = Duration.ofSeconds(10);
    /** How soon a node looks in the store again while another node obtains a name's certificate. */
    private static final Duration ANOTHER_NODE = Duration.ofSeconds(3);

    private record Held(SslContext context, CertificateStatus status) {}

    private final Path dir;
    private final FileShelf shelf;
    private final ChallengeAnswers answers;
    private final Clock clock;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "certificates");
        t.setDaemon(true);
        return t;
    });
    private final Map<HostPattern, Held> held = new ConcurrentHashMap<>();
    private final Set<HostPattern> wanted = ConcurrentHashMap.newKeySet();
    private final Map<HostPattern, ScheduledFuture<?>> next = new ConcurrentHashMap<>();
    private final Map<HostPattern, Integer> failures = new ConcurrentHashMap<>();
    private volatile SslContext fallback;
    private volatile AcmeConfig acme;
    private volatile AcmeClient client;
    /** In a cluster, where tls-alpn-01 checks are shared; null alone. */
    private final TlsAlpnShelf tlsAlpn;

    SiteCertificates(Path dir, FileShelf shelf, ChallengeAnswers answers, Clock clock) {
        this.dir = dir;
        this.shelf = shelf;
        this.answers = answers;
        this.clock = clock;
        // In a cluster the CA's tls-alpn-01 handshake may reach any node: the one that orders shares the check.
        this.tlsAlpn =
                shelf.shared() ? new TlsAlpnShelf(shelf, dir.resolve("acme").resolve("tls-alpn")) : null;
        answers.shareTlsAlpn(tlsAlpn);
    }

    /** A site starts: its self-signed certificate now (and its ACME one soon, if configured). */
    void prepare(HostPattern host) throws IOException {
        wanted.add(host);
        if (!held.containsKey(host)) {
            held.put(host, selfSigned(fileName(host), host));
        }
        worker.execute(() -> consider(host));
    }

    /** A site stops: no more renewals for its name. */
    void forget(HostPattern host) {
        wanted.remove(host);
        ScheduledFuture<?> f = next.remove(host);
        if (f != null) {
            f.cancel(false);
        }
    }

    /** The {@code acme:} section changed (null: none): every site's certificate is reconsidered. */
    void configure(AcmeConfig next) {
        if (Objects.equals(next, acme)) {
            return;
        }
        Future<?> done = worker.submit(() -> {
            acme = next;
            client = next == null ? null : new AcmeClient(next, acmeDir(next), answers);
            answers.answerEveryToken(null);
            if (client != null && shelf.shared()) {
                shareAccount(client, next);
            }
            failures.clear();
            wanted.forEach(this::consider);
        });
        // Waited for (a file read per site), so that after a restart the https port opens with the stored
        // certificates in place rather than the self-signed ones for a moment; an order under way may hold the
        // thread, so not for long.
        try {
            done.get(CONFIGURE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("https: the stored certificates are still being read: {}", e.toString());
        }
    }

    /** The context for names no site holds (and clients that send no name): a 404 behind a self-signed certificate. */
    SslContext fallback() throws IOException {
        SslContext c = fallback;
        if (c == null) {
            try {
                c = selfSigned("_default", HostPattern.parse("localhost")).context();
            } catch (BadHost e) {
                throw new IllegalStateException(e);
            }
            fallback = c;
        }
        return c;
    }

    SslContext contextFor(HostPattern host) throws IOException {
        Held h = held.get(host);
        return h != null ? h.context() : fallback();
    }

    List<CertificateStatus> statuses() {
        List<CertificateStatus> out = new ArrayList<>();
        for (HostPattern h : wanted) {
            Held x = held.get(h);
            if (x != null) {
                out.add(x.status());
            }
        }
        out.sort(Comparator.comparing(CertificateStatus::host));
        return out;
    }

    /** On the worker: keep what is good, or schedule getting a certificate from the CA. */
    private void consider(HostPattern host) {
        if (!wanted.contains(host)) {
            return;
        }
        AcmeConfig config = acme;
        Held current = held.get(host);
        if (config == null) {
            if (current != null && current.status().source().equals("acme")) {
                try {
                    held.put(host, selfSigned(fileName(host), host));
                } catch (IOException e) {
                    log.warn("https: {}: {}", host, e.getMessage());
                }
            }
            return;
        }
        if (host.wildcard()) {
            // Refused here, before the CA is asked: only DNS-01 proves a wildcard, and portgate answers http-01 or
            // tls-alpn-01.
            Held self = held.get(host);
            if (self != null) {
                held.put(
                        host,
                        new Held(
                                self.context(),
                                self.status()
                                        .with(
                                                "failed",
                                                "a wildcard name needs DNS-01 validation, which portgate does not do — it is served "
                                                        + "with a self-signed certificate; list the names one by one to get trusted "
                                                        + "ones",
                                                null)));
            }
            return;
        }
        if (current == null || !current.status().source().equals("acme")) {
            loadStored(host);
            current = held.get(host);
        }
        if (current != null && current.status().source().equals("acme")) {
            schedule(host, renewalTime(current.status(), config));
        } else {
            schedule(host, clock.instant());
        }
    }

    /** In a cluster: the shared account, so that this node answers the CA for orders any node places. */
    private void shareAccount(AcmeClient c, AcmeConfig config) {
        try {
            for (int i = 0; i < 20 && !c.shareAccount(shelf); i++) {
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The first order shares it again, and says why if it still cannot.
            log.warn("https: cannot share the ACME account with the other nodes yet: {}", e.toString());
        }
    }

    private void loadStored(HostPattern host) {
        Path key = acmeFile(host, "key.pem");
        Path crt = acmeFile(host, "crt.pem");
        try {
            boolean inStore = shelf.pull(key) & shelf.pull(crt);
            if (shelf.shared() && !inStore && Files.exists(key) && Files.exists(crt)) {
                // A gateway that joined a cluster with certificates of its own: the other nodes take them too.
                shelf.push(key);
                shelf.push(crt);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("https: the store's copy of {}'s certificate cannot be read now: {}", host, e.toString());
        }
        if (!Files.exists(key) || !Files.exists(crt)) {
            return;
        }
        try {
            List<X509Certificate> chain = PemFiles.readChain(crt);
            if (chain.get(0).getNotAfter().toInstant().isAfter(clock.instant())) {
                CertificateStatus s = install(host, PemFiles.readKeyPair(key), chain);
                log.info(
                        "https: certificate for {} from {}, valid until {}",
                        host,
                        shelf.shared() ? "the store" : "the data folder",
                        s.notAfter());
            }
        } catch (IOException e) {
            log.warn(
                    "https: the stored certificate of {} cannot be used, a new one is obtained: {}",
                    host,
                    e.getMessage());
        }
    }

    private void schedule(HostPattern host, Instant at) {
        ScheduledFuture<?> old = next.remove(host);
        if (old != null) {
            old.cancel(false);
        }
        long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
        next.put(host, worker.schedule(() -> obtain(host), delay, TimeUnit.MILLISECONDS));
    }

    private void obtain(HostPattern host) {
        AcmeClient c = client;
        if (c == null || !wanted.contains(host)) {
            return;
        }
        try {
            // One node at a time gets a name's certificate; the others take it from the store when it is done.
            boolean here = shelf.exclusively(
                    "acme " + acmeDir(acme).getFileName() + " " + host.name(), () -> obtainHere(host, c));
            if (!here) {
                Held now = held.get(host);
                if (now != null && !now.status().source().equals("acme")) {
                    held.put(host, new Held(now.context(), now.status().with("obtaining", null, null)));
                }
                log.info("https: another node is obtaining the certificate for {}; taking it from the store", host);
                schedule(host, clock.instant().plus(ANOTHER_NODE));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Any failure — the CA's refusal, a network error, a file, the store — leaves this name on what it had,
            // and is retried.
            int n = failures.merge(host, 1, Integer::sum);
            Duration pause = FIRST_RETRY.multipliedBy(1L << Math.min(n - 1, 7));
            if (pause.compareTo(LAST_RETRY) > 0) {
                pause = LAST_RETRY;
            }
            Instant retry = clock.instant().plus(pause);
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            Held now = held.get(host);
            if (now != null) {
                held.put(host, new Held(now.context(), now.status().with("failed", reason, retry)));
            }
            log.warn(
                    "https: no certificate for {} from {}: {} (next try in {} s)",
                    host,
                    acme.directory(),
                    reason,
                    pause.toSeconds());
            schedule(host, retry);
        }
    }

    /** Holding the name's key: a certificate another node stored meanwhile, or a new one from the CA. */
    private void obtainHere(HostPattern host, AcmeClient c) throws Exception {
        if (shelf.shared()) {
            loadStored(host);
            Held stored = held.get(host);
            if (stored != null
                    && stored.status().source().equals("acme")
                    && renewalTime(stored.status(), acme).isAfter(clock.instant())) {
                failures.remove(host);
                schedule(host, renewalTime(stored.status(), acme));
                return;
            }
            if (!c.shareAccount(shelf)) {
                throw new IOException("another node is making the cluster's ACME account");
            }
        }
        Held before = held.get(host);
        if (before != null && !before.status().source().equals("acme")) {
            held.put(host, new Held(before.context(), before.status().with("obtaining", null, null)));
        }
        AcmeClient.Issued issued = c.obtain(host.name());
        Path key = acmeFile(host, "key.pem");
        Path crt = acmeFile(host, "crt.pem");
        PemFiles.writeKeyPair(key, issued.keys());
        PemFiles.writeChain(crt, issued.chain());
        shelf.push(key);
        shelf.push(crt);
        CertificateStatus s = install(host, issued.keys(), issued.chain());
        failures.remove(host);
        log.info("https: certificate for {} from {}, valid until {}", host, acme.directory(), s.notAfter());
        schedule(host, renewalTime(s, acme));
    }

    /** When to renew: {@code renew-before} ahead of the end, or when a third of the lifetime is left. */
    private static Instant renewalTime(CertificateStatus s, AcmeConfig config) {
        Duration before = config.renewBefore() != null
                ? config.renewBefore()
                : Duration.between(s.notBefore(), s.notAfter()).dividedBy(3);
        return s.notAfter().minus(before);
    }

    private CertificateStatus install(HostPattern host, KeyPair keys, List<X509Certificate> chain) throws IOException {
        X509Certificate leaf = chain.get(0);
        CertificateStatus s = new CertificateStatus(
                host.toString(),
                "acme",
                "valid",
                leaf.getNotBefore().toInstant(),
                leaf.getNotAfter().toInstant(),
                null,
                null);
        held.put(host, new Held(context(keys, chain), s));
        return s;
    }

    private static String fileName(HostPattern host) {
        return host.wildcard() ? "_wildcard." + host.name() : host.name().toString();
    }

    private Held selfSigned(String file, HostPattern host) throws IOException {
        Path key = dir.resolve("sites").resolve(file + ".key.pem");
        Path crt = dir.resolve("sites").resolve(file + ".crt.pem");
        KeyPair keys;
        List<X509Certificate> chain;
        if (Files.exists(key) && Files.exists(crt)) {
            keys = PemFiles.readKeyPair(key);
            chain = PemFiles.readChain(crt);
        } else {
            SelfSigned.Issued made = SelfSigned.create(host);
            keys = made.keys();
            chain = List.of(made.certificate());
            PemFiles.writeKeyPair(key, keys);
            PemFiles.writeChain(crt, chain);
        }
        X509Certificate leaf = chain.get(0);
        return new Held(
                context(keys, chain),
                new CertificateStatus(
                        host.toString(),
                        "self-signed",
                        "valid",
                        leaf.getNotBefore().toInstant(),
                        leaf.getNotAfter().toInstant(),
                        null,
                        null));
    }

    private Path acmeFile(HostPattern host, String suffix) {
        return acmeDir(acme).resolve(host.name() + "." + suffix);
    }

    /** One folder per directory URL: certificates from a staging CA are never served once production is set. */
    private Path acmeDir(AcmeConfig config) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(config.directory().toString().getBytes(StandardCharsets.UTF_8));
            String host = config.directory().getHost() == null
                    ? "acme"
                    : config.directory().getHost();
            return dir.resolve("acme").resolve(host + "-" + HexFormat.of().formatHex(digest, 0, 4));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SslContext context(KeyPair keys, List<X509Certificate> chain) throws IOException {
        return SslContextBuilder.forServer(keys.getPrivate(), chain.toArray(X509Certificate[]::new))
                .sslProvider(TlsContexts.provider())
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2,
                        ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    @Override
    public void close() {
        worker.shutdownNow();
        if (tlsAlpn != null) {
            tlsAlpn.close();
        }
    }
}
