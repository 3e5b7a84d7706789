package dev.portgate.trigger;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Origin;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.TargetSpec;
import dev.portgate.net.EgressObserver;
import dev.portgate.rules.Actor;
import dev.portgate.rules.ChangeResult;
import dev.portgate.rules.RuleService;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port triggering: outbound traffic a device sends through portgate to a trigger's ports opens the
 * trigger's inbound ports to that device — temporary {@code port} forwards made through RuleService
 * (so they conflict-check, show and are audited, with the trigger as actor) that expire
 * {@code open-for} after the last trigger traffic. One device holds a trigger at a time.
 */
public final class Triggers implements EgressObserver, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Triggers.class);
    /** Trigger traffic refreshes the expiry at most this often: a busy IRC client is not an audit entry per connection. */
    private static final Duration REFRESH = Duration.ofSeconds(5);

    /** Who holds a trigger now, for the console. */
    public record Held(String trigger, InetAddress device, Instant until, List<String> forwards) {}

    private final RuleService rules;
    private final Clock clock;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "triggers");
        t.setDaemon(true);
        return t;
    });
    private volatile List<TriggerConfig> triggers = List.of();
    private final Map<String, Instant> lastRefusalLog = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();

    /**
     * This node's name on a shared store ("" alone): a trigger opens ports of this node for a device on its LAN,
     * so what it opens runs here only and is named for this node.
     */
    private final String node;

    public Triggers(RuleService rules, Clock clock) {
        this(rules, clock, "");
    }

    public Triggers(RuleService rules, Clock clock, String node) {
        this.rules = rules;
        this.clock = clock;
        this.node = node;
    }

    public void apply(List<TriggerConfig> next) {
        triggers = List.copyOf(next);
    }

    /** When each (trigger, device) was last handed to the worker: UDP calls this per datagram. */
    private final Map<String, Long> lastHanded = new ConcurrentHashMap<>();

    @Override
    public void outbound(InetAddress device, Protocol protocol, int port) {
        for (TriggerConfig t : triggers) {
            if (t.trigger().matches(protocol, port)) {
                long now = System.nanoTime();
                String key = t.name() + " " + device.getHostAddress();
                Long last = lastHanded.get(key);
                if (last != null && now - last < 1_000_000_000L) {
                    continue;
                }
                if (lastHanded.size() > 10_000) {
                    lastHanded.clear();
                }
                lastHanded.put(key, now);
                try {
                    worker.execute(() -> fire(t, device));
                } catch (RejectedExecutionException e) {
                    return;
                }
            }
        }
    }

    /** Opens (or keeps open) the trigger's ports for {@code device}, unless another device holds it. */
    void fire(TriggerConfig t, InetAddress device) {
        Instant now = clock.instant();
        Optional<Held> held = held(t.name());
        if (held.isPresent() && !held.get().device().equals(device)) {
            refuse(
                    t,
                    "is held by " + held.get().device().getHostAddress() + " until "
                            + held.get().until() + "; " + device.getHostAddress() + " must wait");
            return;
        }
        Instant until = now.plus(t.openFor()).truncatedTo(ChronoUnit.SECONDS);
        if (held.isPresent()
                && Duration.between(now, held.get().until())
                                .compareTo(t.openFor().minus(REFRESH))
                        > 0) {
            return; // refreshed a moment ago
        }
        Actor actor = new Actor("trigger " + t.name(), device.getHostAddress());
        List<Forward> made = new ArrayList<>();
        for (int i = 0; i < t.open().size(); i++) {
            TriggerConfig.Ports p = t.open().get(i);
            PortForward f = new PortForward(
                    name(t, i) + (node.isEmpty() ? "" : "." + node),
                    true,
                    "trigger " + t.name() + " for " + device.getHostAddress(),
                    new Origin(Origin.Kind.TRIGGER, t.name() + " " + device.getHostAddress()),
                    Set.of(p.protocol()),
                    new ListenSpec(t.listenAddress(), p.range()),
                    new TargetSpec(device.getHostAddress(), p.range()),
                    new Limits(List.of(), List.of(), Duration.ZERO, 0, until)
                            .withNodes(node.isEmpty() ? List.of() : List.of(node)),
                    ProxyProtocol.NONE);
            ChangeResult r =
                    rules.get(f.name()).isPresent() ? rules.update(f.name(), f, actor) : rules.create(f, actor);
            if (r instanceof ChangeResult.Rejected rejected) {
                // All or nothing: what this round made goes again, an existing forward is never touched.
                made.forEach(m -> rules.deleteIf(m, actor));
                refuse(
                        t,
                        "cannot open " + p + " for " + device.getHostAddress() + ": "
                                + (rejected.problems().isEmpty()
                                        ? "refused"
                                        : rejected.problems().get(0).message()));
                return;
            }
            made.add(f);
        }
        if (held.isEmpty()) {
            log.info(
                    "trigger \"{}\": {} opened {} for {} until {}",
                    t.name(),
                    device.getHostAddress(),
                    t.open(),
                    device.getHostAddress(),
                    until);
        }
    }

    private void refuse(TriggerConfig t, String why) {
        refused.increment();
        Instant now = clock.instant();
        Instant last = lastRefusalLog.get(t.name() + why);
        if (last == null || Duration.between(last, now).toSeconds() >= 60) {
            lastRefusalLog.put(t.name() + why, now);
            log.warn("trigger \"{}\" {}", t.name(), why);
        }
    }

    static String name(TriggerConfig t, int index) {
        return "trigger-" + t.name() + "-" + (index + 1);
    }

    /** The device holding the trigger now, from the forwards it opened (so a restart keeps it too). */
    public Optional<Held> held(String trigger) {
        Instant now = clock.instant();
        InetAddress device = null;
        Instant until = null;
        List<String> names = new ArrayList<>();
        for (Forward f : rules.forwards()) {
            if (f.origin().kind() == Origin.Kind.TRIGGER
                    && f.limits().runsOn(node)
                    && f.origin().owner().startsWith(trigger + " ")
                    && f.limits().expires() != null
                    && f.limits().expires().isAfter(now)) {
                device = Addresses.literal(f.origin().owner().substring(trigger.length() + 1));
                until = f.limits().expires();
                names.add(f.name());
            }
        }
        return device == null ? Optional.empty() : Optional.of(new Held(trigger, device, until, names));
    }

    /** Trigger traffic that opened nothing: the trigger was held by another device, or its ports clashed. */
    public long refused() {
        return refused.sum();
    }

    public List<TriggerConfig> triggers() {
        return triggers;
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
