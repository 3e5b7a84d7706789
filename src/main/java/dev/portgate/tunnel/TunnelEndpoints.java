package dev.portgate.tunnel;

import dev.portgate.net.ActiveForward;
import dev.portgate.net.Dialer;
import dev.portgate.net.KeyStores;
import dev.portgate.net.Listener;
import dev.portgate.net.Transport;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.KeyManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The configured tunnel endpoints (portgate tunnel servers this gateway is a client of), by name. */
public final class TunnelEndpoints implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TunnelEndpoints.class);

    private final Transport transport;
    private final Dialer direct;
    private final Path data;
    private final Map<String, TunnelEndpoint> byName = new ConcurrentHashMap<>();
    /** Every configured name, started or not: what {@code via:} may name. */
    private volatile Set<String> configured = Set.of();
    /** An endpoint keeps its loop when reconfigured: its flows and their sockets live there. */
    private final Map<String, EventLoop> loops = new ConcurrentHashMap<>();

    private final ScheduledExecutorService workers = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "tunnel-endpoints");
        t.setDaemon(true);
        return t;
    });

    public TunnelEndpoints(Transport transport, Dialer direct, Path data) {
        this.transport = transport;
        this.direct = direct;
        this.data = data;
    }

    /** The endpoint's client certificate and key, or null when it has none: made now for {@code auto}. */
    private KeyManagerFactory certificate(TunnelEndpointConfig c) throws IOException {
        if (c.clientCertificate() == null) {
            return null;
        }
        KeyStores.KeyStoreFile store;
        if (c.clientCertificate().equals("auto")) {
            store = KeyStores.selfSigned(
                    data.resolve("tunnel-client-" + c.name() + ".p12"),
                    "portgate tunnel client " + c.client(),
                    "localhost");
        } else {
            Path p = Path.of(c.clientCertificate());
            store = new KeyStores.KeyStoreFile(
                    p,
                    Files.readString(p.resolveSibling(p.getFileName() + ".password"))
                            .strip());
        }
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(KeyStores.load(store), store.password().toCharArray());
            log.info(
                    "tunnel-endpoint \"{}\": client certificate sha256:{} (list it in the server's client-certificates)",
                    c.name(),
                    KeyStores.fingerprint(store));
            return kmf;
        } catch (GeneralSecurityException e) {
            throw new IOException("client-certificate " + store.path() + ": " + e.getMessage(), e);
        }
    }

    /** Starts new endpoints, restarts changed ones, stops those no longer configured. */
    public synchronized void apply(List<TunnelEndpointConfig> configs) {
        Map<String, TunnelEndpointConfig> wanted = new LinkedHashMap<>();
        configs.forEach(c -> wanted.put(c.name(), c));
        configured = Set.copyOf(wanted.keySet());
        for (var it = byName.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            TunnelEndpointConfig next = wanted.get(e.getKey());
            if (next == null || !next.equals(e.getValue().config())) {
                e.getValue().close();
                it.remove();
                log.info("tunnel-endpoint \"{}\" {}", e.getKey(), next == null ? "removed" : "changed: reconnecting");
            }
        }
        for (TunnelEndpointConfig c : wanted.values()) {
            if (byName.containsKey(c.name())) {
                continue;
            }
            try {
                TunnelEndpoint ep = new TunnelEndpoint(
                        c,
                        certificate(c),
                        transport,
                        loops.computeIfAbsent(c.name(), n -> transport.group().next()),
                        direct,
                        workers);
                byName.put(c.name(), ep);
                ep.start();
            } catch (IOException | RuntimeException e) {
                log.warn("tunnel-endpoint \"{}\": cannot start: {}", c.name(), e.getMessage());
            }
        }
    }

    public TunnelEndpoint get(String name) {
        return byName.get(name);
    }

    public boolean has(String name) {
        return configured.contains(name);
    }

    public List<TunnelEndpoint.Status> status() {
        return byName.values().stream()
                .map(TunnelEndpoint::status)
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .toList();
    }

    Listener remote(ActiveForward active) {
        return new TunnelRemoteListener(active, byName::get);
    }

    /** Connections made by the server at the other end ({@code kind: local} and {@code dynamic} through it). */
    Dialer dialer(String name) {
        return (inbound, host, port) -> {
            TunnelEndpoint e = get(name);
            return e == null
                    ? inbound.eventLoop()
                            .newFailedFuture(new IllegalStateException("tunnel-endpoint \"" + name + "\" is gone"))
                    : e.open(inbound, host, port);
        };
    }

    EventLoop loopOf(String name) {
        return loops.get(name);
    }

    @Override
    public void close() {
        byName.values().forEach(TunnelEndpoint::close);
        byName.clear();
        workers.shutdownNow();
    }
}
