package dev.portgate.forward;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which forward listens on which protocol, address and port. Finding a conflict costs one map
 * look-up per port, so thousands of leases stay cheap to check.
 */
public final class ListenIndex {

    private record Key(Protocol protocol, int port) {}

    /** A forward's hold on a port, on its nodes (empty: every node). */
    private record Claim(String forward, ListenSpec listen, Set<String> nodes) {

        /** Forwards on disjoint sets of nodes never meet on one machine. */
        boolean sharesANodeWith(Forward f) {
            Set<String> other = f.limits().nodes();
            return nodes.isEmpty() || other.isEmpty() || other.stream().anyMatch(nodes::contains);
        }
    }

    private final Map<Key, List<Claim>> claims = new HashMap<>();
    /** Host names held by sites on the shared http/https ports: one forward each, or a user's sessions together. */
    private final Map<HostPattern, List<HttpForward>> sites = new HashMap<>();

    /** Builds an index of the enabled forwards, assumed free of conflicts among themselves. */
    public static ListenIndex of(Iterable<? extends Forward> forwards) {
        ListenIndex index = new ListenIndex();
        for (Forward f : forwards) {
            index.add(f);
        }
        return index;
    }

    /** The problem if {@code f} would take a port another forward already holds, or null. */
    public Problem conflict(Forward f) {
        if (!f.enabled()) {
            return null;
        }
        if (f instanceof HttpForward site) {
            HttpForward holder = sites.getOrDefault(site.host(), List.of()).stream()
                    .filter(h -> !h.name().equals(f.name()))
                    .findFirst()
                    .orElse(null);
            if (holder != null && (site.shareKey() == null || !site.shareKey().equals(holder.shareKey()))) {
                return Problem.of(
                        f.name(),
                        "host",
                        "host " + site.host() + " is already routed by forward \"" + holder.name()
                                + "\" — one name, one site (a wildcard and an exact name may share)");
            }
        }
        PortRange ports = f.listen().ports();
        for (Protocol p : f.protocols()) {
            for (int port = ports.first(); port <= ports.last(); port++) {
                for (Claim c : claims.getOrDefault(new Key(p, port), List.of())) {
                    if (!c.forward.equals(f.name()) && c.listen.overlaps(f.listen()) && c.sharesANodeWith(f)) {
                        ListenSpec wide = c.listen.isWildcard() ? c.listen : f.listen();
                        String where = c.listen.isWildcard() != f.listen().isWildcard()
                                ? " (" + wide.host() + " covers every address)"
                                : "";
                        return Problem.of(
                                f.name(),
                                "listen",
                                "listen port " + port + "/" + p.label()
                                        + " is already used by forward \"" + c.forward + "\"" + where
                                        + " — choose another port or address");
                    }
                }
            }
        }
        return null;
    }

    public void add(Forward f) {
        if (!f.enabled()) {
            return;
        }
        if (f instanceof HttpForward site) {
            sites.computeIfAbsent(site.host(), k -> new ArrayList<>(1)).add(site);
        }
        PortRange ports = f.listen().ports();
        for (Protocol p : f.protocols()) {
            for (int port = ports.first(); port <= ports.last(); port++) {
                claims.computeIfAbsent(new Key(p, port), k -> new ArrayList<>(1))
                        .add(new Claim(f.name(), f.listen(), f.limits().nodes()));
            }
        }
    }

    /** Forgets the ports {@code f} held. */
    public void remove(Forward f) {
        if (!f.enabled()) {
            return;
        }
        if (f instanceof HttpForward site) {
            List<HttpForward> list = sites.get(site.host());
            if (list != null) {
                list.removeIf(x -> x.name().equals(f.name()));
                if (list.isEmpty()) {
                    sites.remove(site.host());
                }
            }
        }
        PortRange ports = f.listen().ports();
        for (Protocol p : f.protocols()) {
            for (int port = ports.first(); port <= ports.last(); port++) {
                Key key = new Key(p, port);
                List<Claim> list = claims.get(key);
                if (list != null) {
                    list.removeIf(c -> c.forward.equals(f.name()));
                    if (list.isEmpty()) {
                        claims.remove(key);
                    }
                }
            }
        }
    }

    /** Checks forwards in order, each against those before it; returns every conflict. */
    public static List<Problem> conflicts(Iterable<? extends Forward> forwards) {
        ListenIndex index = new ListenIndex();
        List<Problem> problems = new ArrayList<>();
        for (Forward f : forwards) {
            Problem p = index.conflict(f);
            if (p != null) {
                problems.add(p);
            } else {
                index.add(f);
            }
        }
        return problems;
    }
}
