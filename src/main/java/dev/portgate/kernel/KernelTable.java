package dev.portgate.kernel;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Cidr;
import dev.portgate.forward.Limits;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.PortRange;
import dev.portgate.forward.Protection;
import dev.portgate.forward.Protocol;
import dev.portgate.policy.Firewall;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes portgate's nftables table as nft commands. Every packet meets one rule per chain, which finds its
 * forward through a map (O(1) whatever the number of forwards), and a forward is elements in those maps and
 * sets — no chain, rule or object of its own, so adding or removing one costs the same with 10 forwards or
 * 10,000 (libnftables reads the table's chains and objects before each transaction; elements it does not).
 * Only a forward with a {@code rate-limit} or {@code max-connections} has a small chain of its own: those
 * limits are constants of a rule.
 *
 * <ul>
 *   <li>{@code guard} (prerouting, before NAT) and {@code guard_out} (connections the gateway makes): a new
 *       connection to one of the gateway's own addresses is marked with its forward's id, found through the
 *       mark maps, and sent to {@code admit}: bans and the global firewall ({@code common}), the forward's
 *       deny and allow entries and its door (sets keyed by mark and source), its limits chain, then counted;
 *   <li>{@code nat_pre} and {@code nat_out}: DNAT through the target maps;
 *   <li>{@code nat_post}: masquerade for the targets that need it, for hairpin (reflection), and for
 *       connections the gateway itself made;
 *   <li>{@code tally*}: per-forward byte counters — elements with counters, found by the mark.
 * </ul>
 *
 * The forward's id sits in the upper 16 bits of the conntrack mark of the connections it carries.
 */
final class KernelTable {

    static final long MARK_MASK = 0xffff0000L;
    static final int MAX_ID = 0xffff;
    /** The sets whose elements count, per forward: new connections, refusals, bytes each way. */
    static final List<String> COUNTERS = List.of("conns", "refused", "bytes_in", "bytes_out");

    private static final String REFUSE = " ct mark @refused drop\n";

    /** A forward in the kernel: its id (its connections' mark), the rule, and whether it masquerades. */
    record Slot(int id, PortForward forward, boolean masquerade) {

        String chain() {
            return "f" + id;
        }

        String mark() {
            return String.format(Locale.ROOT, "0x%08x", (long) id << 16);
        }

        /** Whether the forward needs a chain of its own (its limits are constants of rules). */
        boolean limited() {
            return forward.limits().maxConnections() > 0
                    || forward.limits().protection().rateLimit() != null;
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
            s.append("  map mark_any").append(v).append(" { type inet_proto . inet_service : mark; }\n");
            s.append("  map mark_addr")
                    .append(v)
                    .append(" { type ")
                    .append(addr)
                    .append(" . inet_proto . inet_service : mark; }\n");
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
            s.append("  set deny")
                    .append(v)
                    .append(" { type mark . ")
                    .append(addr)
                    .append("; flags interval; }\n");
            s.append("  set allow")
                    .append(v)
                    .append(" { type mark . ")
                    .append(addr)
                    .append("; flags interval; }\n");
            s.append("  set door")
                    .append(v)
                    .append(" { type mark . ")
                    .append(addr)
                    .append("; flags timeout; }\n");
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
        s.append("  set restricted { type mark; }\n");
        s.append("  set gated { type mark; }\n");
        s.append("  map limits { type mark : verdict; }\n");
        for (String c : COUNTERS) {
            s.append("  set ").append(c).append(" { type mark; counter; }\n");
        }
        s.append("  chain common { }\n");
        s.append("  chain admit {\n    jump common\n");
        for (String v : List.of("4", "6")) {
            s.append("    meta nfproto ipv")
                    .append(v)
                    .append(" ct mark . ")
                    .append(ip(v))
                    .append(" saddr @deny")
                    .append(v)
                    .append(REFUSE);
            s.append("    ct mark @restricted meta nfproto ipv")
                    .append(v)
                    .append(" ct mark . ")
                    .append(ip(v))
                    .append(" saddr != @allow")
                    .append(v)
                    .append(REFUSE);
            s.append("    ct mark @gated meta nfproto ipv")
                    .append(v)
                    .append(" ct mark . ")
                    .append(ip(v))
                    .append(" saddr != @door")
                    .append(v)
                    .append(REFUSE);
        }
        s.append("    ct mark vmap @limits\n");
        s.append("    ct mark @conns\n  }\n");
        String newLocal = "ct state new fib daddr type local";
        // Loopback packets pass prerouting on their way in after output saw them: guard_out has them.
        String arriving = newLocal + " iifname != \"lo\"";
        String wanIn = frame.wan().isEmpty() ? "" : " iifname " + names(frame.wan());
        s.append("  chain guard {\n    type filter hook prerouting priority -150; policy accept;\n");
        for (String v : List.of("4", "6")) {
            guardRules(s, v, arriving + wanIn);
            if (!frame.wan().isEmpty() && frame.reflection()) {
                // Reflection with named WAN interfaces: the LAN reaches a forward through the WAN address.
                guardRules(s, v, arriving + " iifname != " + names(frame.wan()) + " " + ip(v) + " daddr @wan" + v);
            }
        }
        s.append("  }\n");
        s.append("  chain guard_out {\n    type filter hook output priority -150; policy accept;\n");
        guardRules(s, "4", newLocal + " ip daddr != 127.0.0.0/8");
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
        natRules(s, "4", "fib daddr type local ip daddr != 127.0.0.0/8");
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
            s.append("    ct direction original ct mark @bytes_in\n");
            s.append("    ct direction reply ct mark @bytes_out\n");
            s.append("  }\n");
        }
        s.append("}\n");
        if (frame.reflection()) {
            for (Cidr c : frame.attached()) {
                element(s, "add", "hairpin" + family(c.network()), c + " . " + c);
            }
        }
        for (InetAddress a : frame.wanAddresses()) {
            element(s, "add", "wan" + family(a), literal(a));
        }
        return s.toString();
    }

    private static void guardRules(StringBuilder s, String v, String match) {
        s.append("    ")
                .append(match)
                .append(" ct mark set ")
                .append(ip(v))
                .append(" daddr . meta l4proto . th dport map @mark_addr")
                .append(v)
                .append(" jump admit\n");
        s.append("    ")
                .append(match)
                .append(" meta nfproto ipv")
                .append(v)
                .append(" ct mark set meta l4proto . th dport map @mark_any")
                .append(v)
                .append(" jump admit\n");
    }

    private static void natRules(StringBuilder s, String v, String match) {
        s.append("    ")
                .append(match)
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
        s.append(rule).append("ip saddr @ban4").append(REFUSE);
        s.append(rule).append("ip6 saddr @ban6").append(REFUSE);
        for (String v : List.of("4", "6")) {
            List<Cidr> d = family(firewall.deny(), v);
            if (!d.isEmpty()) {
                s.append(rule).append(ip(v)).append(" saddr ").append(cidrs(d)).append(REFUSE);
            }
        }
        if (!firewall.allow().isEmpty()) {
            for (String v : List.of("4", "6")) {
                List<Cidr> a = family(firewall.allow(), v);
                if (a.isEmpty()) {
                    s.append(rule).append("meta nfproto ipv").append(v).append(REFUSE);
                } else {
                    s.append(rule)
                            .append(ip(v))
                            .append(" saddr != ")
                            .append(cidrs(a))
                            .append(REFUSE);
                }
            }
        }
        return s.toString();
    }

    /** Adds a forward: its counters (the first carries its name, so a restart keeps its id), policy, lookups. */
    String install(Slot slot) {
        StringBuilder s = new StringBuilder();
        for (String c : COUNTERS) {
            element(
                    s,
                    "add",
                    c,
                    c.equals("conns")
                            ? slot.mark() + " comment " + quote(slot.forward().name())
                            : slot.mark());
        }
        s.append(policy("add", slot));
        s.append(lookups("add", slot));
        return s.toString();
    }

    /** Replaces a forward's policy and lookups, keeping its id and counters. */
    String replace(Slot before, Slot after) {
        return lookups("delete", before) + policy("delete", before) + policy("add", after) + lookups("add", after);
    }

    /** Removes everything of a forward. */
    String uninstall(Slot slot) {
        StringBuilder s = new StringBuilder(lookups("delete", slot));
        s.append(policy("delete", slot));
        for (String c : COUNTERS) {
            element(s, "delete", c, slot.mark());
        }
        return s.toString();
    }

    /** Opens a forward's door to {@code source} for {@code openFor} (its timeout restarts if it was open). */
    String openDoor(Slot slot, InetAddress source, Duration openFor) {
        String element = slot.mark() + " . " + literal(source);
        return refreshed("door" + family(source), element, Math.max(1, openFor.toSeconds()));
    }

    String closeDoor(Slot slot, InetAddress source) {
        String at = "element inet " + table + " door" + family(source) + " { " + slot.mark() + " . " + literal(source)
                + " }\n";
        return "add " + at + "delete " + at;
    }

    String ban(InetAddress source, Duration left) {
        return refreshed("ban" + family(source), literal(source), Math.max(1, left.toSeconds()));
    }

    String unban(InetAddress source) {
        String set = "ban" + family(source);
        String element = " { " + literal(source) + " }\n";
        return "add element inet " + table + " " + set + element + "delete element inet " + table + " " + set + element;
    }

    /** An element with a new timeout, whether or not it was there ("add" alone keeps an old timeout). */
    private String refreshed(String set, String element, long seconds) {
        String at = "element inet " + table + " " + set + " { " + element;
        return "add " + at + " }\n" + "delete " + at + " }\n" + "add " + at + " timeout " + seconds + "s }\n";
    }

    /** The forward's source policy as elements, and its limits chain when it has limits. */
    private String policy(String verb, Slot slot) {
        PortForward f = slot.forward();
        Limits limits = f.limits();
        Protection p = limits.protection();
        String mark = slot.mark();
        StringBuilder s = new StringBuilder();
        for (Cidr c : disjoint(limits.deny())) {
            element(s, verb, "deny" + family(c.network()), mark + " . " + c);
        }
        if (!limits.allow().isEmpty()) {
            element(s, verb, "restricted", mark);
            for (Cidr c : disjoint(limits.allow())) {
                element(s, verb, "allow" + family(c.network()), mark + " . " + c);
            }
        }
        if (p.access().gated()) {
            element(s, verb, "gated", mark);
        }
        if (!slot.limited()) {
            return s.toString();
        }
        String id = Integer.toString(slot.id());
        if (verb.equals("delete")) {
            s.append("delete element inet ")
                    .append(table)
                    .append(" limits { ")
                    .append(mark)
                    .append(" }\n");
            s.append("flush chain inet ")
                    .append(table)
                    .append(' ')
                    .append(slot.chain())
                    .append('\n');
            s.append("delete chain inet ")
                    .append(table)
                    .append(' ')
                    .append(slot.chain())
                    .append('\n');
            if (p.rateLimit() != null) {
                s.append("delete set inet ")
                        .append(table)
                        .append(" r4_")
                        .append(id)
                        .append('\n');
                s.append("delete set inet ")
                        .append(table)
                        .append(" r6_")
                        .append(id)
                        .append('\n');
            }
            return s.toString();
        }
        s.append("add chain inet ")
                .append(table)
                .append(' ')
                .append(slot.chain())
                .append('\n');
        String rule = "add rule inet " + table + " " + slot.chain() + " ";
        if (p.rateLimit() != null) {
            long keep = Math.max(60, 2 * p.rateLimit().per().toSeconds());
            String per = p.rateLimit().per().toHours() == 1
                    ? "hour"
                    : p.rateLimit().per().toMinutes() == 1 ? "minute" : "second";
            int n = p.rateLimit().count();
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
                        .append(REFUSE);
            }
        }
        if (limits.maxConnections() > 0) {
            s.append(rule)
                    .append("ct count over ")
                    .append(limits.maxConnections())
                    .append(REFUSE);
        }
        s.append("add element inet ")
                .append(table)
                .append(" limits { ")
                .append(mark)
                .append(" : jump ")
                .append(slot.chain())
                .append(" }\n");
        return s.toString();
    }

    private void element(StringBuilder s, String verb, String set, String element) {
        s.append(verb)
                .append(" element inet ")
                .append(table)
                .append(' ')
                .append(set)
                .append(" { ")
                .append(element)
                .append(" }\n");
    }

    /** The forward's lookup elements: one per listen port and protocol (ranges map port by port). */
    private String lookups(String verb, Slot slot) {
        PortForward f = slot.forward();
        InetAddress target = Addresses.literal(f.target().host());
        String v = family(target);
        boolean wildcard = f.listen().isWildcard();
        String where = (wildcard ? "any" : "addr") + v;
        String key = wildcard ? "" : f.listen().host() + " . ";
        List<String> marks = new ArrayList<>();
        List<String> dnats = new ArrayList<>();
        PortRange ports = f.listen().ports();
        for (Protocol p : f.protocols()) {
            String proto = p.label();
            for (int port = ports.first(); port <= ports.last(); port++) {
                String k = key + proto + " . " + port;
                if (verb.equals("add")) {
                    marks.add(k + " : " + slot.mark());
                    dnats.add(k + " : " + literal(target) + " . " + f.target().portFor(ports, port));
                } else {
                    marks.add(k);
                    dnats.add(k);
                }
            }
        }
        StringBuilder s = new StringBuilder();
        chunked(s, verb, "nat_" + where, dnats);
        chunked(s, verb, "mark_" + where, marks);
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
                String m = "masq" + family(target) + " " + literal(target) + " . " + p.label() + " . "
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

    /** The networks no other in the list contains: an interval set takes no overlapping elements. */
    static List<Cidr> disjoint(List<Cidr> cidrs) {
        List<Cidr> out = new ArrayList<>();
        for (int i = 0; i < cidrs.size(); i++) {
            Cidr c = cidrs.get(i);
            boolean covered = false;
            for (int j = 0; j < cidrs.size() && !covered; j++) {
                Cidr o = cidrs.get(j);
                boolean sameFamily = (o.network() instanceof Inet4Address) == (c.network() instanceof Inet4Address);
                covered = j != i
                        && sameFamily
                        && o.prefix() <= c.prefix()
                        && o.contains(c.network())
                        && (o.prefix() < c.prefix() || j < i);
            }
            if (!covered) {
                out.add(c);
            }
        }
        return out;
    }

    /** An address as nft takes it: no IPv6 scope ("%eth0"), which Java's own form may carry. */
    private static String literal(InetAddress a) {
        return NetUtil.toAddressString(a);
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
