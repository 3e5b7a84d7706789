package dev.portgate.rules;

import dev.portgate.forward.Forward;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Errors;
import dev.portgate.net.Listener;
import dev.portgate.net.ListenerFactory;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the running listeners match the desired state, touching only what changed: an edit that
 * keeps the listen address swaps the rule in place; one that moves it rebinds, and the forward's
 * open connections go on; disabling or removing closes listeners and connections. The only code
 * that opens or closes listeners. Runs on its own thread, never on an event loop.
 */
public final class Reconciler implements Consumer<List<Forward>>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private static final Duration RETRY = Duration.ofSeconds(10);

    private final ListenerFactory listeners;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "reconciler");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong connectionIds = new AtomicLong();
    private final Map<String, Running> running = new LinkedHashMap<>(); // worker thread only
    private volatile List<Forward> desired = List.of();
    private volatile Map<String, ForwardStatus> status = Map.of();
    private volatile boolean accepting = true;

    private static final class Running {
        final ActiveForward active;
        List<Listener> listeners = List.of();
        String error;

        Running(ActiveForward active) {
            this.active = active;
        }
    }

    public Reconciler(ListenerFactory listeners) {
        this.listeners = listeners;
        worker.scheduleWithFixedDelay(this::retryFailed, RETRY.toMillis(), RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Takes a new desired state; applied asynchronously, in order. */
    @Override
    public void accept(List<Forward> next) {
        desired = List.copyOf(next);
        worker.execute(this::reconcile);
    }

    /** Waits until every desired state handed in so far has been applied. */
    public void awaitApplied() {
        try {
            worker.submit(() -> {}).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public Map<String, ForwardStatus> status() {
        return status;
    }

    public ForwardStatus status(String name) {
        return status.get(name);
    }

    private void reconcile() {
        if (!accepting) {
            return;
        }
        Map<String, Forward> want = new LinkedHashMap<>();
        for (Forward f : desired) {
            if (f.enabled()) {
                want.put(f.name(), f);
            }
        }
        // First close what goes away or moves, so that a port handed from one forward to another is free.
        List<String> toBind = new ArrayList<>();
        for (var it = running.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Running r = e.getValue();
            Forward next = want.get(e.getKey());
            Forward now = r.active.forward();
            if (next == null) {
                closeListeners(r);
                r.active.closeConnections();
                it.remove();
                log.info("forward \"{}\" stopped", e.getKey());
            } else if (now.needsRebind(next) || r.error != null) {
                closeListeners(r);
                r.active.update(next);
                toBind.add(next.name());
            } else if (!now.equals(next)) {
                r.active.update(next);
            }
        }
        for (Forward f : want.values()) {
            if (!running.containsKey(f.name())) {
                running.put(f.name(), new Running(new ActiveForward(f, connectionIds)));
                toBind.add(f.name());
            }
        }
        for (String name : toBind) {
            bind(running.get(name));
        }
        publishStatus();
    }

    private void bind(Running r) {
        List<Listener> opened = new ArrayList<>();
        Forward f = r.active.forward();
        for (Listener l : listeners.listenersFor(r.active)) {
            Future<?> bound = l.open().awaitUninterruptibly();
            if (!bound.isSuccess()) {
                l.close();
                opened.forEach(Listener::close);
                String reason = Errors.reason(bound.cause());
                r.listeners = List.of();
                r.error = "cannot listen on " + l.describe() + ": " + reason;
                log.warn("forward \"{}\": {} (retrying every {} s)", f.name(), r.error, RETRY.toSeconds());
                return;
            }
            opened.add(l);
        }
        r.listeners = List.copyOf(opened);
        r.error = null;
        log.info("forward \"{}\" listening: {}", f.name(), f);
    }

    private void retryFailed() {
        boolean any = false;
        for (Running r : running.values()) {
            if (r.error != null && accepting) {
                bind(r);
                any = true;
            }
        }
        if (any) {
            publishStatus();
        }
    }

    private static void closeListeners(Running r) {
        r.listeners.forEach(Listener::close);
        r.listeners = List.of();
    }

    private void publishStatus() {
        Map<String, ForwardStatus> next = new LinkedHashMap<>();
        for (Forward f : desired) {
            Running r = running.get(f.name());
            if (r == null) {
                next.put(f.name(), new ForwardStatus(f, ForwardStatus.State.DISABLED, null, null));
            } else {
                next.put(
                        f.name(),
                        new ForwardStatus(
                                f,
                                r.error == null ? ForwardStatus.State.LISTENING : ForwardStatus.State.FAILED,
                                r.error,
                                r.active));
            }
        }
        status = Map.copyOf(next);
    }

    /** Number of live connections and sessions over every forward. */
    public long activeConnections() {
        return status.values().stream()
                .filter(s -> s.active() != null)
                .mapToLong(s -> s.active().activeCount())
                .sum();
    }

    /** Stops accepting on every listener; open connections go on. */
    public void stopAccepting() {
        runOnWorker(() -> {
            accepting = false;
            running.values().forEach(Reconciler::closeListeners);
        });
    }

    /**
     * Stops accepting, lets open connections finish within {@code grace}, then closes what is left: a
     * graceful stop. Waits on the caller's thread.
     */
    public void drain(Duration grace) {
        stopAccepting();
        long open = activeConnections();
        if (open > 0) {
            log.info(
                    "stopping: listeners closed; waiting up to {} s for {} open connection(s)",
                    grace.toSeconds(),
                    open);
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (activeConnections() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50); // connections end on their own loops; nothing to wait on but their count
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long left = activeConnections();
        if (left > 0) {
            log.info("stopping: closing {} connection(s) still open after the grace period", left);
        }
        closeAll();
    }

    /** Closes every remaining connection. */
    public void closeAll() {
        runOnWorker(() -> running.values().forEach(r -> r.active.closeConnections()));
    }

    private void runOnWorker(Runnable task) {
        try {
            worker.submit(task).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }

    /** The sequence every live connection's id comes from, shared with connections no forward owns. */
    public AtomicLong connectionIds() {
        return connectionIds;
    }
}
