package dev.portgate.igd;

import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Protocol;
import dev.portgate.rules.Change;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The leases among the rules, kept up to date change by change (it subscribes to RuleService): how
 * many a device holds and which lease a device has for an internal port cost one look-up, not a pass
 * over every lease — with thousands of leases, every request asks both.
 */
final class LeaseIndex implements Consumer<List<Change>> {

    /** This node's name ("" alone): other nodes' leases are theirs to count. */
    private final String node;

    LeaseIndex(String node) {
        this.node = node;
    }

    private record Internal(Origin.Kind via, InetAddress device, Protocol protocol, int port) {}

    private final Map<String, Lease> byName = new HashMap<>();
    private final Map<InetAddress, Integer> perDevice = new HashMap<>();
    private final Map<Internal, String> byInternal = new HashMap<>();

    @Override
    public synchronized void accept(List<Change> changes) {
        for (Change c : changes) {
            if (c instanceof Change.Removed r) {
                remove(r.before());
            } else if (c instanceof Change.Updated u) {
                remove(u.before());
                add(u.after());
            } else {
                add(((Change.Added) c).after());
            }
        }
    }

    private void add(Forward f) {
        if (!f.limits().runsOn(node)) {
            return;
        }
        Lease.of(f).ifPresent(l -> {
            byName.put(l.name(), l);
            perDevice.merge(l.device(), 1, Integer::sum);
            byInternal.put(new Internal(l.via(), l.device(), l.protocol(), l.internalPort()), l.name());
        });
    }

    private void remove(Forward f) {
        Lease l = byName.remove(f.name());
        if (l == null) {
            return;
        }
        perDevice.computeIfPresent(l.device(), (k, n) -> n <= 1 ? null : n - 1);
        byInternal.remove(new Internal(l.via(), l.device(), l.protocol(), l.internalPort()), l.name());
    }

    synchronized int count() {
        return byName.size();
    }

    synchronized int countOf(InetAddress device) {
        return perDevice.getOrDefault(device, 0);
    }

    synchronized Lease byInternal(Origin.Kind via, InetAddress device, Protocol protocol, int internalPort) {
        String name = byInternal.get(new Internal(via, device, protocol, internalPort));
        return name == null ? null : byName.get(name);
    }
}
