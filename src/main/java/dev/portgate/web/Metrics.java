package dev.portgate.web;

import dev.portgate.forward.Origin;
import dev.portgate.igd.IgdService;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.ForwardStats;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.Reconciler;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus metrics: per-forward counters (bytes, connections, refusals) read straight from the
 * forwards' own counters at scrape time, and the JVM's. Forwards come and go, so their meters are
 * matched to the running set at each scrape.
 */
final class Metrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Reconciler reconciler;
    private final Map<ActiveForward, List<Meter>> meters = new HashMap<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();

    private final IgdService igd;
    private final Set<String> igdCounters = new HashSet<>();

    Metrics(Reconciler reconciler, IgdService igd) {
        this.reconciler = reconciler;
        this.igd = igd;
        for (Origin.Kind via : List.of(Origin.Kind.UPNP, Origin.Kind.NATPMP, Origin.Kind.PCP)) {
            Gauge.builder("portgate.igd.leases", igd, g -> g.leases().list().stream()
                            .filter(l -> l.via() == via)
                            .count())
                    .description("live leases devices made, by protocol")
                    .tags("via", via.label())
                    .register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    synchronized String scrape() {
        // IGD events (requests, mappings, refusals, malformed packets…) appear as they first happen.
        for (String key : igd.stats().snapshot().keySet()) {
            if (igdCounters.add(key)) {
                String[] parts = key.split("\\.", 2);
                FunctionCounter.builder("portgate.igd.events", igd.stats(), st -> st.get(parts[0], parts[1]))
                        .description("what the UPnP, NAT-PMP, PCP and SSDP services saw")
                        .tags("protocol", parts[0], "event", parts[1])
                        .register(registry);
            }
        }
        Map<ActiveForward, String> running = new HashMap<>();
        for (ForwardStatus s : reconciler.status().values()) {
            if (s.active() != null) {
                running.put(s.active(), s.name());
            }
        }
        for (var it = meters.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!running.containsKey(e.getKey())) {
                e.getValue().forEach(registry::remove);
                it.remove();
            }
        }
        running.forEach((active, name) -> meters.computeIfAbsent(active, a -> register(a, name)));
        return registry.scrape();
    }

    private List<Meter> register(ActiveForward a, String name) {
        List<Meter> list = new ArrayList<>();
        ForwardStats stats = a.stats();
        Tags tags = Tags.of("forward", name);
        list.add(counter(
                "portgate.forward.bytes",
                tags.and("direction", "in"),
                stats,
                s -> s.snapshot().bytesIn(),
                "bytes from clients to targets"));
        list.add(counter(
                "portgate.forward.bytes",
                tags.and("direction", "out"),
                stats,
                s -> s.snapshot().bytesOut(),
                "bytes from targets to clients"));
        list.add(counter(
                "portgate.forward.connections",
                tags.and("protocol", "tcp"),
                stats,
                s -> s.snapshot().connectionsTotal(),
                "connections carried"));
        list.add(counter(
                "portgate.forward.connections",
                tags.and("protocol", "udp"),
                stats,
                s -> s.snapshot().sessionsTotal(),
                "UDP sessions carried"));
        list.add(counter(
                "portgate.forward.refused",
                tags.and("reason", "denied"),
                stats,
                s -> s.snapshot().refusedDenied(),
                "refused by allow/deny"));
        list.add(counter(
                "portgate.forward.refused",
                tags.and("reason", "limit"),
                stats,
                s -> s.snapshot().refusedLimit(),
                "refused by max-connections"));
        list.add(counter(
                "portgate.forward.refused",
                tags.and("reason", "banned"),
                stats,
                s -> s.snapshot().refusedBanned(),
                "refused: source banned"));
        list.add(counter(
                "portgate.forward.refused",
                tags.and("reason", "closed"),
                stats,
                s -> s.snapshot().refusedClosed(),
                "refused: knock/login door closed"));
        list.add(counter(
                "portgate.forward.refused",
                tags.and("reason", "rate"),
                stats,
                s -> s.snapshot().refusedRate(),
                "refused by rate-limit"));
        list.add(counter(
                "portgate.forward.refused",
                tags.and("reason", "accept"),
                stats,
                s -> s.snapshot().refusedAccept(),
                "not accepted: the process ran out of descriptors, or the OS refused"));
        list.add(counter(
                "portgate.forward.dial.failures",
                tags,
                stats,
                s -> s.snapshot().dialFailures(),
                "targets that could not be reached"));
        list.add(Gauge.builder("portgate.forward.connections.active", a, ActiveForward::activeCount)
                .tags(tags)
                .description("connections and UDP sessions open now")
                .register(registry));
        return list;
    }

    private FunctionCounter counter(
            String name, Tags tags, ForwardStats stats, ToDoubleFunction<ForwardStats> f, String help) {
        return FunctionCounter.builder(name, stats, f)
                .tags(tags)
                .description(help)
                .register(registry);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
