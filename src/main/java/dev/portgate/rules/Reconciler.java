package dev.portgate.rules;

import dev.portgate.forward.Forward;
import dev.portgate.forward.PortForward;
import dev.portgate.kernel.KernelPlane;
import dev.portgate.kernel.Placement;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Errors;
import dev.portgate.net.Listener;
import dev.portgate.net.ListenerFactory;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Makes the running forwards match the desired state, one published change at a time and touching
 * only what changed: an edit that keeps the listen address swaps the rule in place; one that moves
 * it rebinds, and the forward's open connections go on; disabling or removing closes listeners and
 * connections. A port forward the kernel can carry goes to the {@link KernelPlane} instead of a
 * listener (a wildcard one keeps a relay listener on loopback, which the kernel's NAT does not serve).
 * The only code that opens or closes listeners or writes kernel forwards. Runs on its own thread,
 * never on an event loop.
 */
public final class Reconciler implements Consumer<List<Change>>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private static final Duration RETRY = Duration.ofSeconds(10);

    private final ListenerFactory listeners;
    private final KernelPlane kernel;
    /** This node's name: a forward whose nodes: leave it out is shown, not run. */
    private final String node;

    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "reconciler");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong connectionIds = new AtomicLong();
    private final Map<String, Running> running = new HashMap<>(); // worker thread only
    /** Every forward's status, in the order the forwards were made; written by the worker only. */
    private final Map<String, ForwardStatus> status = new LinkedHashMap<>();

    private volatile boolean accepting = true;

    private static final class Running {
        final ActiveForward active;
        Placement placement;
        List<Listener> listeners = List.of();
        String error;

        Running(ActiveForward active, Placement placement) {
            this.active = active;
            this.placement = placement;
        }
    }

    /** {@code kernel} null: every forward runs on the relay. */
    public Reconciler(ListenerFactory listeners, KernelPlane kernel, String node) {
        this.listeners = listeners;
        this.kernel = kernel;
        this.node = node;
        if (kernel != null) {
            kernel.onFailure((name, error) -> worker.execute(() -> kernelFailed(name, error)));
        }
        worker.scheduleWithFixedDelay(this::retryFailed, RETRY.toMillis(), RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Reconciler(ListenerFactory listeners) {
        this(listeners, null, "");
    }

    /** Whether a forward is to run here: it is on, and names this node or no node. */
    private boolean runsHere(Forward f) {
        return f.enabled() && f.limits().runsOn(node);
    }

    /** Takes published changes; applied asynchronously, in order. */
    @Override
    public void accept(List<Change> changes) {
        worker.execute(() -> apply(changes));
    }

    /** Waits until every change handed in so far has been applied. */
    public void awaitApplied() {
        runOnWorker(() -> {});
    }

    /** Writes the kernel's table for the first time, with every kernel forward known so far, in one go. */
    public void releaseKernel() {
        if (kernel != null) {
            runOnWorker(kernel::release);
        }
    }

    public Map<String, ForwardStatus> status() {
        synchronized (status) {
            return new LinkedHashMap<>(status);
        }
    }

    public ForwardStatus status(String name) {
        synchronized (status) {
            return status.get(name);
        }
    }

    private void apply(List<Change> changes) {
        if (!accepting) {
            return;
        }
        // First close what goes away or moves, so that a port handed from one forward to another is free.
        List<Forward> toStart = new ArrayList<>();
        for (Change c : changes) {
            if (c instanceof Change.Removed r) {
                stop(r.name());
                publish(r.name(), null);
            } else if (c instanceof Change.Updated u) {
                Running r = running.get(u.name());
                if (!runsHere(u.after())) {
                    stop(u.name());
                    publish(u.name(), u.after());
                } else if (r == null) {
                    toStart.add(u.after());
                } else {
                    Placement next = place(u.after());
                    if (next.plane() != r.placement.plane() || r.error != null) {
                        stop(u.name());
                        toStart.add(u.after());
                    } else if (next.kernel()) {
                        Forward before = r.active.forward();
                        r.active.update(u.after());
                        r.placement = next;
                        String error = kernel.replace(r.active);
                        if (error != null) {
                            failed(r, "cannot write the forward into the kernel: " + error);
                        } else if (before.needsRebind(u.after())) {
                            closeListeners(r);
                            bindLoopback(r);
                        }
                        publish(u.name(), u.after());
                    } else if (r.active.forward().needsRebind(u.after())) {
                        closeListeners(r);
                        r.active.update(u.after());
                        r.placement = next;
                        bind(r);
                        publish(u.name(), u.after());
                    } else {
                        r.active.update(u.after());
                        r.placement = next;
                        publish(u.name(), u.after());
                    }
                }
            } else {
                Forward f = ((Change.Added) c).after();
                if (runsHere(f)) {
                    toStart.add(f);
                } else {
                    publish(f.name(), f);
                }
            }
        }
        for (Forward f : toStart) {
            Running r = new Running(new ActiveForward(f, connectionIds), place(f));
            running.put(f.name(), r);
            start(r);
            publish(f.name(), f);
        }
    }

    private Placement place(Forward f) {
        return kernel == null ? Placement.RELAY : kernel.place(f);
    }

    private void start(Running r) {
        Forward f = r.active.forward();
        switch (r.placement.plane()) {
            case KERNEL -> {
                String error = kernel.install(r.active);
                if (error != null) {
                    failed(r, "cannot write the forward into the kernel: " + error);
                    return;
                }
                r.error = null;
                bindLoopback(r);
                log.info("forward \"{}\" in the kernel: {}", f.name(), f);
            }
            case NONE -> failed(r, r.placement.reason());
            case RELAY -> bind(r);
        }
    }

    private void failed(Running r, String error) {
        r.error = error;
        log.warn("forward \"{}\": {} (retrying every {} s)", r.active.name(), error, RETRY.toSeconds());
    }

    private void kernelFailed(String name, String error) {
        Running r = running.get(name);
        if (r != null && r.placement.kernel()) {
            closeListeners(r);
            failed(r, "cannot write the forward into the kernel: " + error);
            publish(name, r.active.forward());
        }
    }

    private void stop(String name) {
        Running r = running.remove(name);
        if (r == null) {
            return;
        }
        closeListeners(r);
        if (r.placement.kernel()) {
            kernel.uninstall(name); // also what a change that failed half-way left there
        }
        r.active.closeConnections();
        log.info("forward \"{}\" stopped", name);
    }

    private void bind(Running r) {
        List<Listener> opened = new ArrayList<>();
        Forward f = r.active.forward();
        for (Listener l : listeners.listenersFor(r.active)) {
            Future<?> bound = l.open().awaitUninterruptibly();
            if (!bound.isSuccess()) {
                l.close();
                opened.forEach(Listener::close);
                r.listeners = List.of();
                failed(r, "cannot listen on " + l.describe() + ": " + Errors.reason(bound.cause()));
                return;
            }
            opened.add(l);
        }
        r.listeners = List.copyOf(opened);
        r.error = null;
        log.info("forward \"{}\" listening: {}", f.name(), f);
    }

    /**
     * A kernel forward on a wildcard address also answers on loopback, through the relay: the kernel's
     * NAT does not serve it. A port taken there is logged; the kernel forward works regardless.
     */
    private void bindLoopback(Running r) {
        if (!(r.active.forward() instanceof PortForward pf) || !KernelPlane.wantsLoopback(pf)) {
            return;
        }
        List<Listener> opened = new ArrayList<>();
        for (Listener l : listeners.loopbackListenersFor(r.active)) {
            Future<?> bound = l.open().awaitUninterruptibly();
            if (bound.isSuccess()) {
                opened.add(l);
            } else {
                l.close();
                log.warn(
                        "forward \"{}\": in the kernel, but not on loopback: cannot listen on {}: {}",
                        pf.name(),
                        l.describe(),
                        Errors.reason(bound.cause()));
            }
        }
        r.listeners = List.copyOf(opened);
    }

    private void retryFailed() {
        for (Running r : running.values()) {
            if (r.error != null && accepting) {
                r.placement = place(r.active.forward());
                start(r);
                publish(r.active.name(), r.active.forward());
            }
        }
    }

    private static void closeListeners(Running r) {
        r.listeners.forEach(Listener::close);
        r.listeners = List.of();
    }

    /** Records one forward's status; {@code f} null when it is gone. */
    private void publish(String name, Forward f) {
        ForwardStatus s = null;
        if (f != null) {
            Running r = running.get(name);
            if (r == null) {
                ForwardStatus.State state = f.enabled() ? ForwardStatus.State.ELSEWHERE : ForwardStatus.State.DISABLED;
                s = new ForwardStatus(f, state, null, null, place(f));
            } else {
                s = new ForwardStatus(
                        f,
                        r.error == null ? ForwardStatus.State.LISTENING : ForwardStatus.State.FAILED,
                        r.error,
                        r.active,
                        r.placement);
            }
        }
        synchronized (status) {
            if (s == null) {
                status.remove(name);
            } else {
                status.put(name, s);
            }
        }
    }

    /** Number of live relayed connections and sessions over every forward (kernel flows are the kernel's). */
    public long activeConnections() {
        long n = 0;
        for (ForwardStatus s : status().values()) {
            if (s.active() != null && !s.placement().kernel()) {
                n += s.active().activeCount();
            }
        }
        return n;
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
