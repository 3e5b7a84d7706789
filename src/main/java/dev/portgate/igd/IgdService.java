package dev.portgate.igd;

import dev.portgate.net.OncePer;
import dev.portgate.net.Transport;
import dev.portgate.rules.Actor;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The automatic port opening service: owns the lease book and runs UPnP IGD (SSDP + HTTP/SOAP),
 * NAT-PMP and PCP on the LAN side per the {@code igd:} section. Protocol handlers run on Netty's
 * event loops and hand every change to one worker thread, where the lease book talks to RuleService.
 */
public final class IgdService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IgdService.class);

    private final Transport transport;
    private final Leases leases;
    private final IgdStats stats = new IgdStats();
    private final Clock clock;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "igd");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<InetAddress> discoveredExternal = new AtomicReference<>();
    private final OncePer refusalLine = new OncePer(Duration.ofSeconds(1));
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    private volatile IgdConfig config;
    private volatile LanPeers lanPeers = LanPeers.of(List.of());
    private volatile boolean upnpOn;
    private volatile boolean natPmpOn;
    private volatile boolean pcpOn;
    private volatile String consoleUrl;
    private PmpServer pmp;
    private UpnpServer upnp;

    public IgdService(RuleService rules, Reconciler reconciler, Transport transport, Clock clock) {
        this(rules, reconciler, transport, clock, "");
    }

    /** {@code node}: this node's name on a shared store ("" alone); its leases are its own, and named for it. */
    public IgdService(RuleService rules, Reconciler reconciler, Transport transport, Clock clock, String node) {
        this.transport = transport;
        this.clock = clock;
        this.leases = new Leases(rules, reconciler, () -> config, clock, node);
    }

    /** Starts, restarts or stops the services to match the config ({@code null}: no igd section). */
    public synchronized void apply(IgdConfig next) {
        if (Objects.equals(next, config)) {
            return;
        }
        stopServers();
        config = next;
        if (next == null) {
            return;
        }
        lanPeers = LanPeers.of(next.lan());
        upnpOn = next.upnp();
        natPmpOn = next.natPmp();
        pcpOn = next.pcp();
        try {
            if (next.natPmp() || next.pcp()) {
                pmp = new PmpServer(this, transport);
                pmp.start(next.lan(), next.pmpPort());
                pmp.announce();
            }
            if (next.upnp()) {
                upnp = new UpnpServer(this, transport);
                upnp.start(next.lan(), next.httpPort());
            }
        } catch (IOException e) {
            log.warn("igd: {}", e.getMessage());
        }
    }

    private void stopServers() {
        if (pmp != null) {
            pmp.close();
            pmp = null;
        }
        if (upnp != null) {
            upnp.close();
            upnp = null;
        }
    }

    /** Turns one protocol on or off while running (the console's switches); the config sets them again on reload. */
    public synchronized void setEnabled(String protocol, boolean on) {
        switch (protocol) {
            case "upnp" -> upnpOn = on;
            case "nat-pmp" -> natPmpOn = on;
            case "pcp" -> pcpOn = on;
            default -> throw new IllegalArgumentException(
                    "no protocol \"" + protocol + "\" — use upnp, nat-pmp or pcp");
        }
        log.info("igd: {} turned {}", protocol, on ? "on" : "off");
    }

    /** The external address learned from the router above; announced to the LAN when it changes. */
    public void externalAddressDiscovered(InetAddress address) {
        InetAddress before = discoveredExternal.getAndSet(address);
        if (!Objects.equals(before, address)) {
            log.info("igd: external address is now {}", address == null ? "unknown" : address.getHostAddress());
            synchronized (this) {
                if (pmp != null && (config == null || config.externalAddress() == null)) {
                    pmp.announce();
                }
            }
        }
    }

    public InetAddress externalAddress() {
        IgdConfig c = config;
        if (c != null && c.externalAddress() != null) {
            return c.externalAddress();
        }
        return discoveredExternal.get();
    }

    <T> CompletableFuture<T> submit(Callable<T> task) {
        CompletableFuture<T> out = new CompletableFuture<>();
        try {
            worker.execute(() -> {
                try {
                    out.complete(task.call());
                } catch (Exception | Error e) {
                    out.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            out.completeExceptionally(e);
        }
        return out;
    }

    /** Runs a lease change on the worker and waits for it — for the API and the console. */
    public <T> T call(Callable<T> task) {
        try {
            return submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    Actor actor(String protocol, InetAddress client) {
        return new Actor(protocol + " " + client.getHostAddress(), client.getHostAddress());
    }

    /** Refusals are logged at info at most once a second (a misbehaving device could send thousands). */
    void logRefusal(String protocol, InetAddress client, LeaseOutcome.Refused r) {
        if (refusalLine.now()) {
            log.info("{} request of {} refused: {}", protocol, client.getHostAddress(), r.message());
        } else {
            log.debug("{} request of {} refused: {}", protocol, client.getHostAddress(), r.message());
        }
    }

    /** Where the description's presentationURL points: the console, when there is one. */
    public void consoleUrl(String url) {
        this.consoleUrl = url;
    }

    String presentationUrl(String localHostPort) {
        String c = consoleUrl;
        return c != null ? c : "http://" + localHostPort + "/";
    }

    public long epochSeconds() {
        return (System.nanoTime() - startNanos) / 1_000_000_000L;
    }

    public long startedAtMillis() {
        return startMillis;
    }

    public Leases leases() {
        return leases;
    }

    public IgdStats stats() {
        return stats;
    }

    public IgdConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    LanPeers lanPeers() {
        return lanPeers;
    }

    public boolean running() {
        return config != null;
    }

    public boolean upnpOn() {
        IgdConfig c = config;
        return c != null && c.upnp() && upnpOn;
    }

    /** On when the config has it and nobody switched it off; a switch cannot turn on what the config leaves out. */
    public boolean natPmpOn() {
        IgdConfig c = config;
        return c != null && c.natPmp() && natPmpOn;
    }

    public boolean pcpOn() {
        IgdConfig c = config;
        return c != null && c.pcp() && pcpOn;
    }

    /** The UPnP description URL on the first LAN address, or empty. */
    public synchronized Optional<String> descriptionUrl() {
        return upnp == null ? Optional.empty() : Optional.of(upnp.descriptionUrl());
    }

    @Override
    public synchronized void close() {
        stopServers();
        worker.shutdownNow();
    }
}
