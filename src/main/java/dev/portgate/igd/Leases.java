package dev.portgate.igd;

import dev.portgate.forward.Cidr;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Origin;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.PortRange;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.TargetSpec;
import dev.portgate.rules.Actor;
import dev.portgate.rules.ChangeResult;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The lease book shared by UPnP, NAT-PMP and PCP: checks a request against secure mode, the
 * permission lines, the per-device cap and every other forward, then makes, renews or removes the
 * lease as a {@code port} forward through {@link RuleService}. A configured forward always wins:
 * a lease that would clash with it is refused, never the other way round.
 * Called from the IGD worker thread only, never from a Netty event loop.
 */
public final class Leases {

    private static final int PORT_TRIES = 32;

    private final RuleService rules;
    private final Reconciler reconciler;
    private final Supplier<IgdConfig> config;
    private final Clock clock;
    private List<Lease> listed = List.of();
    private long listedAt = -1;

    private final LeaseIndex index;
    /**
     * This node's name on a shared store, "" alone. A lease is about this node's ports: it runs on this node only,
     * its name carries the node's (another node may lease the same port on its own LAN), and the IGD protocols
     * see this node's leases only. The console lists every node's, as forwards.
     */
    private final String node;

    public Leases(RuleService rules, Reconciler reconciler, Supplier<IgdConfig> config, Clock clock, String node) {
        this.rules = rules;
        this.node = node;
        this.index = new LeaseIndex(node);
        rules.subscribe(index);
        this.reconciler = reconciler;
        this.config = config;
        this.clock = clock;
    }

    /** Every lease, by protocol and port. Derived once per rule change: with thousands of leases, each request reads it several times. */
    public synchronized List<Lease> list() {
        long version = rules.version();
        if (version != listedAt) {
            List<Lease> out = new ArrayList<>();
            for (Forward f : rules.forwards()) {
                if (f.limits().runsOn(node)) {
                    Lease.of(f).ifPresent(out::add);
                }
            }
            out.sort(Comparator.comparing(Lease::protocol).thenComparingInt(Lease::externalPort));
            listed = List.copyOf(out);
            listedAt = version;
        }
        return listed;
    }

    public Optional<Lease> get(Protocol protocol, int externalPort) {
        return rules.get(name(protocol, externalPort)).flatMap(Lease::of);
    }

    /** The device's existing lease for this internal port, made by the same protocol (how NAT-PMP renews). */
    public Optional<Lease> findByInternal(Origin.Kind via, InetAddress device, Protocol protocol, int internalPort) {
        return Optional.ofNullable(index.byInternal(via, device, protocol, internalPort));
    }

    public synchronized LeaseOutcome map(LeaseRequest r) {
        IgdConfig c = config.get();
        if (r.internalPort() < 1 || r.internalPort() > 65535) {
            return refused(LeaseOutcome.Reason.INVALID, "internal port " + r.internalPort() + " is not 1-65535");
        }
        if (c.secureMode() && !r.internalClient().equals(r.requester())) {
            return refused(
                    LeaseOutcome.Reason.NOT_OWNER,
                    "secure mode: " + r.requester().getHostAddress() + " may map ports only to itself, not to "
                            + r.internalClient().getHostAddress());
        }
        Duration lifetime = c.clamp(r.lifetime());
        Instant expires = clock.instant().plus(lifetime).truncatedTo(ChronoUnit.SECONDS);
        List<Integer> candidates = candidates(r, c);
        if (candidates.isEmpty()) {
            return refused(
                    LeaseOutcome.Reason.NOT_PERMITTED,
                    "no permission line allows " + r.internalClient().getHostAddress() + " to map "
                            + (r.externalPort() == 0 ? "a port" : "external port " + r.externalPort()) + " onto port "
                            + r.internalPort());
        }
        LeaseOutcome last = null;
        for (int port : candidates) {
            Optional<Forward> existing = rules.get(name(r.protocol(), port));
            Optional<Lease> held = existing.flatMap(Lease::of);
            if (held.isPresent() && !held.get().device().equals(r.internalClient())) {
                last = refused(
                        LeaseOutcome.Reason.CONFLICT,
                        r.protocol().name() + " port " + port + " is mapped to "
                                + held.get().device().getHostAddress() + " already");
                continue;
            }
            if (held.isPresent()
                    && r.via() == Origin.Kind.PCP
                    && held.get().via() == Origin.Kind.PCP
                    && !held.get().nonce().equals(r.nonce())) {
                last = refused(
                        LeaseOutcome.Reason.NOT_OWNER,
                        "the mapping of " + r.protocol().name() + " port " + port
                                + " belongs to another PCP client (nonce differs)");
                continue;
            }
            if (held.isEmpty() && countOf(r.internalClient()) >= c.maxLeasesPerDevice()) {
                return refused(
                        LeaseOutcome.Reason.QUOTA,
                        r.internalClient().getHostAddress() + " has " + c.maxLeasesPerDevice()
                                + " leases already (max-leases-per-device)");
            }
            PortForward f = forward(r, c, port, expires);
            Actor actor = new Actor(
                    r.via().label() + " " + r.requester().getHostAddress(),
                    r.requester().getHostAddress());
            ChangeResult result = existing.isPresent() ? rules.update(f.name(), f, actor) : rules.create(f, actor);
            if (result instanceof ChangeResult.Rejected rejected) {
                last = refused(
                        LeaseOutcome.Reason.CONFLICT,
                        rejected.problems().isEmpty()
                                ? "conflict"
                                : rejected.problems().get(0).message());
                continue;
            }
            reconciler.awaitApplied();
            ForwardStatus status = reconciler.status(f.name());
            if (f.enabled() && (status == null || status.state() != ForwardStatus.State.LISTENING)) {
                if (existing.isPresent()) {
                    rules.update(f.name(), existing.get(), actor);
                } else {
                    rules.deleteIf(f, actor);
                }
                last = refused(
                        LeaseOutcome.Reason.CONFLICT,
                        "port " + port + " cannot be opened: " + (status == null ? "not opened" : status.error()));
                continue;
            }
            return new LeaseOutcome.Mapped(Lease.of(f).orElseThrow(), lifetime.toSeconds());
        }
        if (last instanceof LeaseOutcome.Refused refused && !r.exact()) {
            return refused(LeaseOutcome.Reason.NO_PORT, "no free external port found (" + refused.message() + ")");
        }
        return last;
    }

    /** Deletes one mapping; only its device may (and, for PCP, only with its nonce). */
    public synchronized LeaseOutcome delete(
            Origin.Kind via, InetAddress requester, Protocol protocol, int externalPort, String nonce) {
        Optional<Lease> lease = get(protocol, externalPort);
        if (lease.isEmpty()) {
            return refused(
                    LeaseOutcome.Reason.NOT_FOUND,
                    "there is no " + protocol.name() + " mapping on port " + externalPort);
        }
        Lease l = lease.get();
        if (config.get().secureMode() && !l.device().equals(requester)) {
            return refused(
                    LeaseOutcome.Reason.NOT_OWNER,
                    "the mapping of " + protocol.name() + " port " + externalPort + " belongs to "
                            + l.device().getHostAddress());
        }
        if (nonce != null && l.via() == Origin.Kind.PCP && !l.nonce().equals(nonce)) {
            return refused(
                    LeaseOutcome.Reason.NOT_OWNER,
                    "the mapping of " + protocol.name() + " port " + externalPort
                            + " belongs to another PCP client (nonce differs)");
        }
        remove(l, new Actor(via.label() + " " + requester.getHostAddress(), requester.getHostAddress()));
        return new LeaseOutcome.Mapped(l, 0);
    }

    /** Removes a lease whoever made it — the console's and the API's delete. */
    public synchronized boolean remove(String name, Actor actor) {
        Optional<Lease> lease = rules.get(name).flatMap(Lease::of);
        lease.ifPresent(l -> remove(l, actor));
        return lease.isPresent();
    }

    /** Removes every lease matching the filter; returns how many. */
    public synchronized int removeAll(Predicate<Lease> which, Actor actor) {
        int n = 0;
        for (Lease l : list()) {
            if (which.test(l)) {
                rules.get(l.name()).ifPresent(f -> rules.deleteIf(f, actor));
                n++;
            }
        }
        reconciler.awaitApplied();
        return n;
    }

    /** Removes the lease's forward and waits until its port is closed: a device told "deleted" finds it so. */
    private void remove(Lease l, Actor actor) {
        rules.get(l.name()).ifPresent(f -> rules.deleteIf(f, actor));
        reconciler.awaitApplied();
    }

    public int countOf(InetAddress device) {
        return index.countOf(device);
    }

    /** How many leases there are. */
    public int count() {
        return index.count();
    }

    /** The wanted port first (if permitted), then, when any port will do, random permitted ones. */
    private static List<Integer> candidates(LeaseRequest r, IgdConfig c) {
        List<Integer> out = new ArrayList<>();
        int wanted = r.externalPort() == 0 ? r.internalPort() : r.externalPort();
        if (Permission.permits(c.permissions(), wanted, r.internalClient(), r.internalPort())) {
            out.add(wanted);
        }
        if (!r.exact()) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < PORT_TRIES * 8 && out.size() < PORT_TRIES; i++) {
                int p = 1024 + random.nextInt(65536 - 1024);
                if (!out.contains(p) && Permission.permits(c.permissions(), p, r.internalClient(), r.internalPort())) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** The lease's forward name: one per (protocol, external port) on this node. */
    private String name(Protocol protocol, int externalPort) {
        String base = Lease.nameFor(protocol, externalPort);
        return node.isEmpty() ? base : base + "." + node;
    }

    private PortForward forward(LeaseRequest r, IgdConfig c, int port, Instant expires) {
        List<Cidr> allow = r.remoteHost() == null ? List.of() : List.of(Lease.remoteCidr(r.remoteHost()));
        String description = r.description().length() > 200 ? r.description().substring(0, 200) : r.description();
        return new PortForward(
                name(r.protocol(), port),
                r.enabled(),
                description,
                new Origin(r.via(), Lease.owner(r.internalClient(), r.nonce())),
                Set.of(r.protocol()),
                new ListenSpec(c.listen(), PortRange.of(port)),
                new TargetSpec(r.internalClient().getHostAddress(), PortRange.of(r.internalPort())),
                new Limits(allow, List.of(), Duration.ZERO, 0, expires)
                        .withNodes(node.isEmpty() ? List.of() : List.of(node)),
                ProxyProtocol.NONE);
    }

    private static LeaseOutcome.Refused refused(LeaseOutcome.Reason reason, String message) {
        return new LeaseOutcome.Refused(reason, message);
    }
}
