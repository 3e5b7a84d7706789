package dev.portgate.kernel;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Cidr;
import dev.portgate.forward.Limits;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.PortRange;
import dev.portgate.forward.Protection;
import dev.portgate.forward.Protocol;
import dev.portgate.policy.Firewall;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes portgate's nftables table as nft commands. Every packet meets one rule per chain, which looks
 * its forward up in a map (O(1) whatever the number of forwards); a forward is elements in those maps
 * plus a small chain of its own policy, added and removed whole:
 *
 * <ul>
 *   <li>{@code guard} (prerouting, before NAT) and {@code guard_out} (locally made connections): a new
 *       connection to a local address jumps, through the verdict maps, to its forward's chain {@code f<id>},
 *       which drops what the forward refuses (bans and the global firewall in {@code common}, deny, allow,
 *       a closed door, a rate or connection limit) and marks the connection with the forward's id;
 *   <li>{@code nat_pre} and {@code nat_out}: DNAT through the target maps;
 *   <li>{@code nat_post}: masquerade for the forwards that need it, for hairpin (reflection), and for
 *       connections the gateway itself made;
 *   <li>{@code tally_*}: per-forward byte counters, found by the connection's mark.
 * </ul>
 *
 * The forward's id sits in the upper 16 bits of the conntrack mark; the lower 16 are left as they were.
 */
final class KernelTable {

    static final long MARK_MASK = 0xffff0000L;
    static final int MAX_ID = 0xffff;

    /** A forward in the kernel: its id (mark and object names), the rule, and whether it masquerades. */
    record Slot(int id, PortForward forward, boolean masquerade) {

        String chain() {
            return "f" + id;
        }

        String mark() {
            return String.format(Locale.ROOT, "0x%08x", (long) id << 16);
        }
    }

    /** What the base chains depend on besides the forwards. */
    record Frame(
            String table,
            String owner,
            boolean reflection,
            List<String> wan,
            List<Cidr> attached,
            List<InetAddress> wanAddresses) {}

    private final String table;

    KernelTable(String table) {
        this.table = table;
    }

    String name() {
        return table;
    }

    /** The whole table anew, in one transaction with whatever follows: a stale table of a crash goes at once. */
    String rebuild(Frame frame) {
        StringBuilder s = new StringBuilder();
        s.append("add table inet ").append(table).append('\n');
        s.append("delete table inet ").append(table).append('\n');
        s.append("table inet ").append(table).append(" {\n");
        s.append("  comment ").append(quote(frame.owner())).append('\n');
        for (String v : List.of("4", "6")) {
            String addr = v.equals("4") ? "ipv4_addr" : "ipv6_addr";
            s.append("  set ban").append(v).append(" { type ").append(addr).append("; flags timeout; }\n");
            s.append("  map any").append(v).append(" { type inet_proto . inet_service : verdict; }\n");
            s.append("  map addr")
                    .append(v)
                    .append(" { type ")
                    .append(addr)
                    .append(" . inet_proto . inet_service : verdict; }\n");
            s.append("  map nat_any")
                    .append(v)
                    .append(" { type inet_proto . inet_service : ")
                    .append(addr)
                    .append(" . inet_service; }\n");
            s.append("  map nat_addr")
                    .append(v)
                    .append(" { type ")
                    .append(addr)
                    .append(" . inet_proto . inet_service : ")
                    .append(addr)
                    .append(" . inet_service; }\n");
            s.append("  set masq")
                    .append(v)
                    .append(" { type ")
                    .append(addr)
                    .append(" . inet_proto . inet_service; }\n");
            s.append("  set hairpin")
                    .append(v)
                    .append(" { type ")
                    .append(addr)
                    .append(" . ")
                    .append(addr)
                    .append("; flags interval; }\n");
            s.append("  set wan").append(v).append(" { type ").append(addr).append("; }\n");
        }
        s.append("  map bytes_in { type mark : counter; }\n");
        s.append("  map bytes_out { type mark : counter; }\n");
        s.append("  chain common { }\n");
        String newLocal = "ct state new fib daddr type local";
        // Loopback packets pass prerouting on their way in after output saw them: guard_out has them.
        String newArriving = newLocal + " iifname != \"lo\"";
        String notLoopback = "ip daddr != 127.0.0.0/8";
        String wanIn = frame.wan().isEmpty() ? "" : " iifname " + names(frame.wan());
        s.append("  chain guard {\n    type filter hook prerouting priority -150; policy accept;\n");
        for (String v : List.of("4", "6")) {
            guardRules(s, v, newArriving + wanIn);
            if (!frame.wan().isEmpty() && frame.reflection()) {
                // Reflection with named WAN interfaces: the LAN reaches a forward through the WAN address.
                guardRules(s, v, newArriving + " iifname != " + names(frame.wan()) + " " + ip(v) + " daddr @wan" + v);
            }
        }
        s.append("  }\n");
        s.append("  chain guard_out {\n    type filter hook output priority -150; policy accept;\n");
        guardRules(s, "4", newLocal + " " + notLoopback);
        guardRules(s, "6", newLocal + " ip6 daddr != ::1");
        s.append("  }\n");
        s.append("  chain nat_pre {\n    type nat hook prerouting priority dstnat; policy accept;\n");
        for (String v : List.of("4", "6")) {
            natRules(s, v, "fib daddr type local" + wanIn);
            if (!frame.wan().isEmpty() && frame.reflection()) {
                natRules(
                        s,
                        v,
                        "fib daddr type local iifname != " + names(frame.wan()) + " " + ip(v) + " daddr @wan" + v);
            }
        }
        s.append("  }\n");
        s.append("  chain nat_out {\n    type nat hook output priority -100; policy accept;\n");
        natRules(s, "4", "fib daddr type local " + notLoopback);
        natRules(s, "6", "fib daddr type local ip6 daddr != ::1");
        s.append("  }\n");
        s.append("  chain nat_post {\n    type nat hook postrouting priority srcnat; policy accept;\n");
        for (String v : List.of("4", "6")) {
            s.append("    ct status dnat ")
                    .append(ip(v))
                    .append(" daddr . meta l4proto . th dport @masq")
                    .append(v)
                    .append(" masquerade\n");
            s.append("    ct status dnat ")
                    .append(ip(v))
                    .append(" saddr . ")
                    .append(ip(v))
                    .append(" daddr @hairpin")
                    .append(v)
                    .append(" masquerade\n");
        }
        // The gateway's own connections to a forward leave from the address they were sent to; the target
        // must answer the interface they go out of.
        s.append("    ct status dnat ct mark & 0xffff0000 != 0 fib saddr type local masquerade\n");
        s.append("  }\n");
        for (String[] hook : new String[][] {{"tally", "forward"}, {"tally_in", "input"}, {"tally_out", "output"}}) {
            s.append("  chain ")
                    .append(hook[0])
                    .append(" {\n    type filter hook ")
                    .append(hook[1])
                    .append(" priority 0; policy accept;\n");
            s.append(
                    "    ct mark & 0xffff0000 != 0 ct direction original counter name ct mark & 0xffff0000 map @bytes_in\n");
            s.append(
                    "    ct mark & 0xffff0000 != 0 ct direction reply counter name ct mark & 0xffff0000 map @bytes_out\n");
            s.append("  }\n");
        }
        s.append("}\n");
        if (frame.reflection()) {
            for (Cidr c : frame.attached()) {
                String v = c.network() instanceof Inet4Address ? "4" : "6";
                s.append("add element inet ")
                        .append(table)
                        .append(" hairpin")
                        .append(v)
                        .append(" { ")
                        .append(c)
                        .append(" . ")
                        .append(c)
                        .append(" }\n");
            }
        }
        for (InetAddress a : frame.wanAddresses()) {
            String v = a instanceof Inet4Address ? "4" : "6";
            s.append("add element inet ")
                    .append(table)
                    .append(" wan")
                    .append(v)
                    .append(" { ")
                    .append(a.getHostAddress())
                    .append(" }\n");
        }
        return s.toString();
    }

    private static void guardRules(StringBuilder s, String v, String match) {
        s.append("    ")
                .append(match)
                .append(' ')
                .append(ip(v))
                .append(" daddr . meta l4proto . th dport vmap @addr")
                .append(v)
                .append('\n');
        s.append("    ")
                .append(match)
                .append(" meta nfproto ipv")
                .append(v)
                .append(" meta l4proto . th dport vmap @any")
                .append(v)
                .append('\n');
    }

    private static void natRules(StringBuilder s, String v, String match) {
        s.append("    ")
                .append(match)
                .append(' ')
                .append(" dnat ")
                .append(ip(v))
                .append(" to ")
                .append(ip(v))
                .append(" daddr . meta l4proto . th dport map @nat_addr")
                .append(v)
                .append('\n');
        s.append("    ")
                .append(match)
                .append(" meta nfproto ipv")
                .append(v)
                .append(" dnat ")
                .append(ip(v))
                .append(" to meta l4proto . th dport map @nat_any")
                .append(v)
                .append('\n');
    }

    /** The global firewall and the bans, ahead of every forward's own policy. */
    String common(Firewall firewall) {
        StringBuilder s = new StringBuilder();
        s.append("flush chain inet ").append(table).append(" common\n");
        String rule = "add rule inet " + table + " common ";
        s.append(rule).append("ip saddr @ban4 drop\n");
        s.append(rule).append("ip6 saddr @ban6 drop\n");
        sourceRules(s, rule, firewall.allow(), firewall.deny(), " drop\n");
        return s.toString();
    }

    /** Drops sources in {@code deny}, and, when {@code allow} has entries, every source not in it. */
    private static void sourceRules(StringBuilder s, String rule, List<Cidr> allow, List<Cidr> deny, String drop) {
        for (String v : List.of("4", "6")) {
            List<Cidr> d = family(deny, v);
            if (!d.isEmpty()) {
                s.append(rule).append(ip(v)).append(" saddr ").append(cidrs(d)).append(drop);
            }
        }
        if (allow.isEmpty()) {
            return;
        }
        for (String v : List.of("4", "6")) {
            List<Cidr> a = family(allow, v);
            if (a.isEmpty()) {
                s.append(rule).append("meta nfproto ipv").append(v).append(drop);
            } else {
                s.append(rule)
                        .append(ip(v))
                        .append(" saddr != ")
                        .append(cidrs(a))
                        .append(drop);
            }
        }
    }

    /** Adds a forward: its chain and sets, its counters, its elements in the lookup maps. */
    String install(Slot slot) {
        StringBuilder s = new StringBuilder();
        String id = Integer.toString(slot.id());
        s.append("add counter inet ").append(table).append(" i").append(id).append('\n');
        s.append("add counter inet ").append(table).append(" o").append(id).append('\n');
        s.append("add counter inet ").append(table).append(" n").append(id).append('\n');
        s.append("add counter inet ").append(table).append(" x").append(id).append('\n');
        s.append("add element inet ")
                .append(table)
                .append(" bytes_in { ")
                .append(slot.mark())
                .append(" : \"i")
                .append(id)
                .append("\" }\n");
        s.append("add element inet ")
                .append(table)
                .append(" bytes_out { ")
                .append(slot.mark())
                .append(" : \"o")
                .append(id)
                .append("\" }\n");
        s.append("add chain inet ")
                .append(table)
                .append(' ')
                .append(slot.chain())
                .append(" { comment ")
                .append(quote(slot.forward().name()))
                .append("; }\n");
        s.append(policy(slot));
        s.append(elements("add", slot));
        return s.toString();
    }

    /** Replaces a forward's policy and elements, keeping its id and counters. */
    String replace(Slot before, Slot after) {
        return elements("delete", before) + "flush chain inet " + table + " " + after.chain() + "\n" + dropSets(before)
                + policy(after) + elements("add", after);
    }

    /** Removes everything of a forward. */
    String uninstall(Slot slot) {
        String id = Integer.toString(slot.id());
        return elements("delete", slot)
                + "flush chain inet " + table + " " + slot.chain() + "\n"
                + "delete chain inet " + table + " " + slot.chain() + "\n"
                + dropSets(slot)
                + "delete element inet " + table + " bytes_in { " + slot.mark() + " }\n"
                + "delete element inet " + table + " bytes_out { " + slot.mark() + " }\n"
                + "delete counter inet " + table + " i" + id + "\n"
                + "delete counter inet " + table + " o" + id + "\n"
                + "delete counter inet " + table + " n" + id + "\n"
                + "delete counter inet " + table + " x" + id + "\n";
    }

    /** Opens a forward's door to {@code source} for {@code openFor} (its timeout restarts if it was open). */
    String openDoor(Slot slot, InetAddress source, Duration openFor) {
        String set = "d" + family(source) + "_" + slot.id();
        String element = " { " + source.getHostAddress() + " }\n";
        return "add element inet " + table + " " + set + element
                + "delete element inet " + table + " " + set + element
                + "add element inet " + table + " " + set + " { " + source.getHostAddress() + " timeout "
                + Math.max(1, openFor.toSeconds()) + "s }\n";
    }

    String closeDoor(Slot slot, InetAddress source) {
        String set = "d" + family(source) + "_" + slot.id();
        String element = " { " + source.getHostAddress() + " }\n";
        return "add element inet " + table + " " + set + element + "delete element inet " + table + " " + set + element;
    }

    String ban(InetAddress source, Duration left) {
        String set = "ban" + family(source);
        String element = " { " + source.getHostAddress() + " }\n";
        return "add element inet " + table + " " + set + element
                + "delete element inet " + table + " " + set + element
                + "add element inet " + table + " " + set + " { " + source.getHostAddress() + " timeout "
                + Math.max(1, left.toSeconds()) + "s }\n";
    }

    String unban(InetAddress source) {
        String set = "ban" + family(source);
        String element = " { " + source.getHostAddress() + " }\n";
        return "add element inet " + table + " " + set + element + "delete element inet " + table + " " + set + element;
    }

    private String policy(Slot slot) {
        PortForward f = slot.forward();
        Limits limits = f.limits();
        Protection p = limits.protection();
        String id = Integer.toString(slot.id());
        String rule = "add rule inet " + table + " " + slot.chain() + " ";
        StringBuilder s = new StringBuilder();
        if (p.access().gated()) {
            s.append("add set inet ")
                    .append(table)
                    .append(" d4_")
                    .append(id)
                    .append(" { type ipv4_addr; flags timeout; }\n");
            s.append("add set inet ")
                    .append(table)
                    .append(" d6_")
                    .append(id)
                    .append(" { type ipv6_addr; flags timeout; }\n");
        }
        if (p.rateLimit() != null) {
            long keep = Math.max(60, 2 * p.rateLimit().per().toSeconds());
            for (String v : List.of("4", "6")) {
                s.append("add set inet ")
                        .append(table)
                        .append(" r")
                        .append(v)
                        .append('_')
                        .append(id)
                        .append(" { type ipv")
                        .append(v)
                        .append("_addr; size 65535; flags dynamic,timeout; timeout ")
                        .append(keep)
                        .append("s; }\n");
            }
        }
        String refuse = " counter name \"x" + id + "\" drop\n";
        s.append(rule).append("jump common\n");
        sourceRules(s, rule, limits.allow(), limits.deny(), refuse);
        if (p.access().gated()) {
            s.append(rule)
                    .append("meta nfproto ipv4 ip saddr != @d4_")
                    .append(id)
                    .append(refuse);
            s.append(rule)
                    .append("meta nfproto ipv6 ip6 saddr != @d6_")
                    .append(id)
                    .append(refuse);
        }
        if (p.rateLimit() != null) {
            String per = p.rateLimit().per().toHours() == 1
                    ? "hour"
                    : p.rateLimit().per().toMinutes() == 1 ? "minute" : "second";
            int n = p.rateLimit().count();
            for (String v : List.of("4", "6")) {
                s.append(rule)
                        .append("meta nfproto ipv")
                        .append(v)
                        .append(" update @r")
                        .append(v)
                        .append('_')
                        .append(id)
                        .append(" { ")
                        .append(ip(v))
                        .append(" saddr limit rate over ")
                        .append(n)
                        .append('/')
                        .append(per)
                        .append(" burst ")
                        .append(n)
                        .append(" packets }")
                        .append(refuse);
            }
        }
        if (limits.maxConnections() > 0) {
            s.append(rule)
                    .append("ct count over ")
                    .append(limits.maxConnections())
                    .append(refuse);
        }
        s.append(rule)
                .append("ct mark set ct mark & 0x0000ffff | ")
                .append(slot.mark())
                .append('\n');
        s.append(rule).append("counter name \"n").append(id).append("\"\n");
        return s.toString();
    }

    private String dropSets(Slot slot) {
        StringBuilder s = new StringBuilder();
        Protection p = slot.forward().limits().protection();
        String id = Integer.toString(slot.id());
        if (p.access().gated()) {
            s.append("delete set inet ").append(table).append(" d4_").append(id).append('\n');
            s.append("delete set inet ").append(table).append(" d6_").append(id).append('\n');
        }
        if (p.rateLimit() != null) {
            s.append("delete set inet ").append(table).append(" r4_").append(id).append('\n');
            s.append("delete set inet ").append(table).append(" r6_").append(id).append('\n');
        }
        return s.toString();
    }

    /** The forward's lookup elements: one per listen port and protocol (ranges map port by port). */
    private String elements(String verb, Slot slot) {
        PortForward f = slot.forward();
        InetAddress target = Addresses.literal(f.target().host());
        String v = family(target);
        boolean wildcard = f.listen().isWildcard();
        String where = wildcard ? "any" + v : "addr" + v;
        String key = wildcard ? "" : f.listen().host() + " . ";
        List<String> verdicts = new ArrayList<>();
        List<String> dnats = new ArrayList<>();
        PortRange ports = f.listen().ports();
        for (Protocol p : f.protocols()) {
            String proto = p.label();
            for (int port = ports.first(); port <= ports.last(); port++) {
                int to = f.target().portFor(ports, port);
                String k = key + proto + " . " + port;
                if (verb.equals("add")) {
                    verdicts.add(k + " : jump " + slot.chain());
                    dnats.add(k + " : " + target.getHostAddress() + " . " + to);
                } else {
                    verdicts.add(k);
                    dnats.add(k);
                }
            }
        }
        StringBuilder s = new StringBuilder();
        chunked(s, verb, where, verdicts);
        chunked(s, verb, "nat_" + where, dnats);
        return s.toString();
    }

    /**
     * The target tuples a masquerading forward puts in {@code masq4}/{@code masq6}, each as "set element";
     * forwards may share one, so the caller counts references and writes them with {@link #setElements}.
     */
    List<String> masqueraded(Slot slot) {
        if (!slot.masquerade()) {
            return List.of();
        }
        PortForward f = slot.forward();
        InetAddress target = Addresses.literal(f.target().host());
        List<String> out = new ArrayList<>();
        PortRange ports = f.listen().ports();
        for (Protocol p : f.protocols()) {
            for (int port = ports.first(); port <= ports.last(); port++) {
                String m = "masq" + family(target) + " " + target.getHostAddress() + " . " + p.label() + " . "
                        + f.target().portFor(ports, port);
                if (!out.contains(m)) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    /** Adds or deletes "set element" items as {@link #masqueraded} gives them. */
    String setElements(String verb, List<String> items) {
        StringBuilder s = new StringBuilder();
        for (String item : items) {
            int space = item.indexOf(' ');
            s.append(verb)
                    .append(" element inet ")
                    .append(table)
                    .append(' ')
                    .append(item, 0, space)
                    .append(" { ")
                    .append(item.substring(space + 1))
                    .append(" }\n");
        }
        return s.toString();
    }

    private void chunked(StringBuilder s, String verb, String set, List<String> items) {
        for (int i = 0; i < items.size(); i += 1000) {
            s.append(verb)
                    .append(" element inet ")
                    .append(table)
                    .append(' ')
                    .append(set)
                    .append(" { ")
                    .append(String.join(", ", items.subList(i, Math.min(items.size(), i + 1000))))
                    .append(" }\n");
        }
    }

    private static String family(InetAddress a) {
        return a instanceof Inet4Address ? "4" : "6";
    }

    private static String ip(String v) {
        return v.equals("4") ? "ip" : "ip6";
    }

    private static List<Cidr> family(List<Cidr> cidrs, String v) {
        return cidrs.stream()
                .filter(c -> (c.network() instanceof Inet4Address) == v.equals("4"))
                .toList();
    }

    private static String cidrs(List<Cidr> cidrs) {
        return "{ " + String.join(", ", cidrs.stream().map(Cidr::toString).toList()) + " }";
    }

    private static String names(List<String> interfaces) {
        return "{ "
                + String.join(", ", interfaces.stream().map(KernelTable::quote).toList()) + " }";
    }

    /** A string for nft: portgate's names and paths never hold quotes, but a stray one must not end it. */
    static String quote(String text) {
        return "\"" + text.replace("\"", "'").replace("\n", " ") + "\"";
    }
}
