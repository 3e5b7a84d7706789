package dev.portgate.igd;

import dev.portgate.forward.Forward;
import dev.portgate.forward.Protocol;
import dev.portgate.rules.RuleService;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client that opens portgate's own listen ports on the router above: finds the router (PCP,
 * NAT-PMP or UPnP), maps the ports of the forwards named under {@code upstream.map} (and any mapped
 * by hand), renews them at half their lifetime, maps them again when the router restarts, and
 * deletes them on shutdown. Runs on its own thread; nothing here touches an event loop.
 */
public final class Upstream implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Upstream.class);
    private static final int MAX_PORTS = 256;

    /** What the console shows: the router in use, its address, and each mapping. */
    public record Status(
            boolean configured,
            String router,
            String method,
            String externalAddress,
            String error,
            List<UpstreamMapping> mappings) {}

    private record Key(Protocol protocol, int port) {}

    private final RuleService rules;
    private final IgdService igd;
    private final Clock clock;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "upstream");
        t.setDaemon(true);
        return t;
    });
    private final Map<Key, UpstreamMapping> held = new LinkedHashMap<>();
    private final Set<String> byHand = new LinkedHashSet<>();
    private volatile UpstreamConfig config;
    private volatile Router router;
    private volatile String error = "";
    private volatile InetAddress external;
    private volatile Status published = new Status(false, "", "", "", "", List.of());
    private Instant nextCheck = Instant.EPOCH;
    private Instant nextDiscovery = Instant.EPOCH;

    public Upstream(RuleService rules, IgdService igd, Clock clock) {
        this.rules = rules;
        this.igd = igd;
        this.clock = clock;
        thread.scheduleWithFixedDelay(this::tickSafely, 1, 1, TimeUnit.SECONDS);
    }

    /** Takes the config's upstream section (null: none — every mapping is deleted). */
    public void apply(UpstreamConfig next) {
        run(() -> {
            if (Objects.equals(next, config)) {
                return null;
            }
            boolean routerChanged = config == null
                    || next == null
                    || config.method() != next.method()
                    || !Objects.equals(config.gateway(), next.gateway())
                    || !Objects.equals(config.url(), next.url());
            if (routerChanged) {
                unmapAll();
                closeRouter();
                nextDiscovery = Instant.EPOCH;
            }
            config = next;
            tick();
            return null;
        });
    }

    /** Maps a forward's ports (or {@code tcp/8080}) by hand, until unmapped or restart. */
    public String map(String what) {
        return run(() -> {
            if (config == null) {
                throw new IllegalStateException(
                        "there is no upstream section in the config — add upstream: { method: auto }");
            }
            parseTarget(what);
            byHand.add(what);
            tick();
            return what;
        });
    }

    public String unmap(String what) {
        return run(() -> {
            parseTarget(what);
            byHand.remove(what);
            tick();
            return what;
        });
    }

    public Status status() {
        return run(this::current);
    }

    /**
     * The state as of the last round, without waiting: what a page that asks every two seconds reads, so a slow
     * router (whose answers the upstream thread may wait seconds for) never holds it up.
     */
    public Status latest() {
        return published;
    }

    /** On the upstream thread. */
    private Status current() {
        UpstreamConfig c = config;
        Router r = router;
        Status s = new Status(
                c != null,
                r == null ? "" : r.describe(),
                c == null ? "" : c.method().label(),
                external == null ? "" : external.getHostAddress(),
                error,
                List.copyOf(held.values()));
        published = s;
        return s;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.warn("upstream: {}", e.toString());
        } finally {
            current();
        }
    }

    /** One round: find the router if needed, notice a restart, then map what is missing or due, unmap what is gone. */
    private void tick() {
        UpstreamConfig c = config;
        if (c == null) {
            return;
        }
        Instant now = clock.instant();
        if (router == null) {
            if (now.isBefore(nextDiscovery)) {
                return;
            }
            try {
                router = find(c);
                error = "";
                log.info("upstream: using {}", router.describe());
                learnExternal();
            } catch (IOException e) {
                error = e.getMessage();
                nextDiscovery = now.plus(c.checkInterval());
                log.warn(
                        "upstream: no router found ({}); trying again in {} s",
                        e.getMessage(),
                        c.checkInterval().toSeconds());
                return;
            }
        }
        if (!now.isBefore(nextCheck)) {
            nextCheck = now.plus(c.checkInterval());
            try {
                if (router.lostState(held.values())) {
                    log.info("upstream: {} restarted and forgot our mappings; mapping them again", router.describe());
                    held.replaceAll((k, m) -> new UpstreamMapping(
                            m.forward(), m.protocol(), m.internalPort(), 0, Instant.EPOCH, null, "re-mapping", ""));
                }
                learnExternal();
            } catch (IOException e) {
                error = e.getMessage();
                log.warn("upstream: {} does not answer ({})", router.describe(), e.getMessage());
            }
        }
        Map<Key, String> wanted = wanted(c);
        for (Map.Entry<Key, String> w : wanted.entrySet()) {
            UpstreamMapping m = held.get(w.getKey());
            if (m == null || !now.isBefore(m.renewAt())) {
                mapOne(c, w.getKey(), w.getValue(), m, now);
            }
        }
        for (Key k : List.copyOf(held.keySet())) {
            if (!wanted.containsKey(k)) {
                unmapOne(k);
            }
        }
    }

    private void mapOne(UpstreamConfig c, Key k, String forward, UpstreamMapping before, Instant now) {
        int ask = before != null && before.externalPort() != 0 ? before.externalPort() : k.port();
        try {
            Router.Granted g = router.map(k.protocol(), k.port(), ask, c.lifetime(), "portgate " + forward);
            long life = Math.max(1, g.lifetimeSeconds());
            held.put(
                    k,
                    new UpstreamMapping(
                            forward,
                            k.protocol(),
                            k.port(),
                            g.externalPort(),
                            now.plusSeconds(life / 2),
                            now.plusSeconds(life),
                            "mapped",
                            ""));
            if (before == null || before.externalPort() != g.externalPort()) {
                log.info(
                        "upstream: {} {} port {} is open on the router as external port {} for {} s",
                        forward,
                        k.protocol().name().toLowerCase(Locale.ROOT),
                        k.port(),
                        g.externalPort(),
                        life);
            }
        } catch (IOException e) {
            held.put(
                    k,
                    new UpstreamMapping(
                            forward,
                            k.protocol(),
                            k.port(),
                            before == null ? 0 : before.externalPort(),
                            now.plus(c.checkInterval()),
                            before == null ? null : before.expires(),
                            "failed",
                            e.getMessage()));
            log.warn(
                    "upstream: mapping {} {} port {} failed: {}",
                    forward,
                    k.protocol().name().toLowerCase(Locale.ROOT),
                    k.port(),
                    e.getMessage());
        }
    }

    private void unmapOne(Key k) {
        UpstreamMapping m = held.remove(k);
        if (m != null && m.externalPort() != 0 && router != null) {
            try {
                router.unmap(k.protocol(), k.port(), m.externalPort());
                log.info(
                        "upstream: {} port {} closed on the router",
                        k.protocol().name().toLowerCase(Locale.ROOT),
                        m.externalPort());
            } catch (IOException e) {
                log.warn("upstream: unmapping port {} failed: {}", m.externalPort(), e.getMessage());
            }
        }
    }

    private void unmapAll() {
        for (Key k : List.copyOf(held.keySet())) {
            unmapOne(k);
        }
    }

    /** Ports to hold: each listen port and protocol of the named forwards, plus those mapped by hand. */
    private Map<Key, String> wanted(UpstreamConfig c) {
        Map<Key, String> out = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(c.map());
        names.addAll(byHand);
        for (String name : names) {
            Key single = parsePortTarget(name);
            if (single != null) {
                out.putIfAbsent(single, name);
                continue;
            }
            Forward f = rules.get(name).orElse(null);
            if (f == null || !f.enabled()) {
                continue;
            }
            for (Protocol p : f.protocols()) {
                for (int port = f.listen().ports().first();
                        port <= f.listen().ports().last() && out.size() < MAX_PORTS;
                        port++) {
                    out.putIfAbsent(new Key(p, port), name);
                }
            }
        }
        return out;
    }

    private void parseTarget(String what) {
        if (parsePortTarget(what) == null && rules.get(what).isEmpty()) {
            throw new IllegalArgumentException("\"" + what + "\" is neither a forward's name nor a port like tcp/8080");
        }
    }

    private static Key parsePortTarget(String s) {
        String[] p = s.split("/", 2);
        if (p.length == 2 && (p[0].equals("tcp") || p[0].equals("udp")) && p[1].matches("\\d{1,5}")) {
            int port = Integer.parseInt(p[1]);
            if (port >= 1 && port <= 65535) {
                return new Key(p[0].equals("tcp") ? Protocol.TCP : Protocol.UDP, port);
            }
        }
        return null;
    }

    private void learnExternal() throws IOException {
        InetAddress a = router.externalAddress();
        if (a != null && !a.equals(external)) {
            external = a;
            log.info("upstream: the router's external address is {}", a.getHostAddress());
            igd.externalAddressDiscovered(a);
        }
    }

    private static Router find(UpstreamConfig c) throws IOException {
        List<String> failures = new ArrayList<>();
        UpstreamConfig.Method m = c.method();
        if (m == UpstreamConfig.Method.PCP || m == UpstreamConfig.Method.AUTO) {
            Router r = attempt(() -> probe(new PcpRouter(gateway(c), IgdConfig.PMP_PORT)), "PCP", failures);
            if (r != null) {
                return r;
            }
        }
        if (m == UpstreamConfig.Method.NAT_PMP || m == UpstreamConfig.Method.AUTO) {
            Router r = attempt(() -> probe(new NatPmpRouter(gateway(c), IgdConfig.PMP_PORT)), "NAT-PMP", failures);
            if (r != null) {
                return r;
            }
        }
        if (m == UpstreamConfig.Method.UPNP || m == UpstreamConfig.Method.AUTO) {
            Router r =
                    attempt(() -> UpnpRouter.open(c.url() != null ? c.url() : UpnpRouter.discover()), "UPnP", failures);
            if (r != null) {
                return r;
            }
        }
        throw new IOException(String.join("; ", failures));
    }

    private interface Attempt {
        Router get() throws IOException;
    }

    private static Router attempt(Attempt a, String what, List<String> failures) {
        try {
            return a.get();
        } catch (IOException e) {
            failures.add(what + ": " + e.getMessage());
            return null;
        }
    }

    private static Router probe(Router r) throws IOException {
        try {
            r.externalAddress();
            return r;
        } catch (IOException e) {
            r.close();
            throw e;
        }
    }

    /** The configured gateway, or the default route's next hop. */
    static InetAddress gateway(UpstreamConfig c) throws IOException {
        if (c.gateway() != null) {
            return c.gateway();
        }
        for (String line : Files.readAllLines(Path.of("/proc/net/route"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && f[1].equals("00000000") && !f[2].equals("00000000")) {
                long hex = Long.parseLong(f[2], 16);
                byte[] b = {(byte) hex, (byte) (hex >> 8), (byte) (hex >> 16), (byte) (hex >> 24)};
                return InetAddress.getByAddress(b);
            }
        }
        throw new IOException("no default gateway (set upstream: gateway:)");
    }

    private <T> T run(Callable<T> task) {
        try {
            return thread.submit(task).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (TimeoutException e) {
            throw new IllegalStateException("the upstream client is busy (the router is slow to answer)");
        }
    }

    private void closeRouter() {
        if (router != null) {
            router.close();
            router = null;
        }
    }

    /** Deletes every mapping on the router (bounded: each call gives up within seconds), then stops. */
    @Override
    public void close() {
        try {
            run(() -> {
                unmapAll();
                closeRouter();
                return null;
            });
        } catch (RuntimeException e) {
            log.debug("upstream: {}", e.toString());
        }
        thread.shutdownNow();
    }
}
