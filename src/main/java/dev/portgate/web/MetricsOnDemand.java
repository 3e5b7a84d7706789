package dev.portgate.web;

import dev.portgate.igd.IgdService;
import dev.portgate.rules.Reconciler;

/**
 * The metrics registry, made at the first scrape: Micrometer, Prometheus and the JVM's management beans are 400
 * classes and 3 MiB that a gateway nobody scrapes should not carry. Forward counters are read at scrape time, so
 * nothing is lost by starting late; JVM GC pauses count from the first scrape.
 */
final class MetricsOnDemand implements AutoCloseable {

    private final Reconciler reconciler;
    private final IgdService igd;
    private Metrics metrics;

    MetricsOnDemand(Reconciler reconciler, IgdService igd) {
        this.reconciler = reconciler;
        this.igd = igd;
    }

    synchronized String scrape() {
        if (metrics == null) {
            metrics = new Metrics(reconciler, igd);
        }
        return metrics.scrape();
    }

    @Override
    public synchronized void close() {
        if (metrics != null) {
            metrics.close();
        }
    }
}
