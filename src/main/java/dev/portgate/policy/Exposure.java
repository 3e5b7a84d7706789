package dev.portgate.policy;

import dev.portgate.forward.Cidr;
import dev.portgate.forward.DynamicForward;
import dev.portgate.forward.Forward;
import dev.portgate.forward.HttpForward;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.Protection;
import dev.portgate.forward.SiteTls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How exposed a forward's door is: who can reach it (loopback only, an allow-list, or anyone), how
 * it is guarded, and a warning when a well-known risky service is reachable from anywhere unguarded —
 * each warning with the changes that would answer it.
 */
public record Exposure(
        String forward,
        String listen,
        String reach,
        String access,
        boolean guarded,
        String service,
        List<Warning> warnings) {

    /** What is wrong, in plain words, and the edits that fix it (each a partial forward, as PATCH takes it). */
    public record Warning(String code, String text, List<Fix> fixes) {}

    /** One way to fix a warning: a button's label and the keys it sets on the forward. */
    public record Fix(String id, String label, Map<String, Object> patch) {}

    /** Services scanners look for first, by port. */
    private static final Map<Integer, String> RISKY = Map.ofEntries(
            Map.entry(21, "FTP"),
            Map.entry(22, "SSH"),
            Map.entry(23, "Telnet"),
            Map.entry(135, "MS RPC"),
            Map.entry(139, "SMB"),
            Map.entry(445, "SMB"),
            Map.entry(554, "camera RTSP"),
            Map.entry(1433, "SQL Server"),
            Map.entry(1521, "Oracle"),
            Map.entry(2375, "Docker API"),
            Map.entry(3306, "MySQL"),
            Map.entry(3389, "RDP"),
            Map.entry(5432, "PostgreSQL"),
            Map.entry(5900, "VNC"),
            Map.entry(5901, "VNC"),
            Map.entry(6379, "Redis"),
            Map.entry(8554, "camera RTSP"),
            Map.entry(9200, "Elasticsearch"),
            Map.entry(11211, "memcached"),
            Map.entry(27017, "MongoDB"));

    /** A rate that stops password guessing but not a person: ten new connections a minute per address. */
    static final String GUESSING_RATE = "10/m";

    /** {@code lan}: the networks "my network" means — those on the gateway's own interfaces. */
    public static Exposure of(Forward f, Firewall firewall, List<Cidr> lan) {
        boolean loopback = f.listen().address().isLoopbackAddress();
        boolean restricted = !f.limits().allow().isEmpty() || !firewall.allow().isEmpty();
        String reach = loopback ? "this machine only" : restricted ? "allow-listed sources" : "anyone";
        Protection p = f.limits().protection();
        boolean mutualTls = p.tls() != null && p.tls().clientCa() != null;
        boolean guarded = p.access().gated()
                || mutualTls
                || (f instanceof DynamicForward d && !d.users().isEmpty());
        String access = p.access().label() + (mutualTls ? " (client certificates)" : "");
        String service = "";
        if (f instanceof PortForward pf) {
            // The target port first: SSH moved to 2222 outside is still SSH inside.
            service = RISKY.getOrDefault(
                    pf.target().ports().first(),
                    RISKY.getOrDefault(pf.listen().ports().first(), ""));
        } else if (f instanceof HttpForward h) {
            service = "the web site " + h.host();
        }
        List<Warning> warnings = new ArrayList<>();
        Fix limitToLan = new Fix(
                "limit-to-lan",
                "Limit to my network",
                Map.of("allow", lan.stream().map(Cidr::toString).toList()));
        Fix login = new Fix("require-login", "Require a login", Map.of("access", "login", "open-for", "1h"));
        Fix closeLater = new Fix("close-at", "Close it at a set time", Map.of("expires", "2h"));
        if (f.enabled() && reach.equals("anyone") && !guarded) {
            if (!service.isEmpty()) {
                warnings.add(new Warning(
                        "exposed",
                        service + " is reachable from anywhere with no protection: anyone on the internet can try it",
                        f instanceof PortForward || (f instanceof HttpForward h && h.tls() == SiteTls.TERMINATE)
                                ? List.of(limitToLan, login, closeLater)
                                : List.of(limitToLan)));
            }
            if (f instanceof DynamicForward) {
                warnings.add(new Warning(
                        "open-proxy", "an open proxy: anyone can use it to reach your network", List.of(limitToLan)));
            }
        }
        if (f.enabled()
                && !loopback
                && p.access() == Protection.Access.OPEN
                && p.rateLimit() == null
                && !service.isEmpty()
                && !(f instanceof HttpForward)
                && reach.equals("anyone")) {
            warnings.add(new Warning(
                    "no-rate-limit",
                    "no rate limit: password guessing against " + service + " runs at full speed",
                    List.of(new Fix(
                            "add-rate-limit",
                            "Add a rate limit (" + GUESSING_RATE + " per address)",
                            Map.of("rate-limit", GUESSING_RATE)))));
        }
        String where =
                f instanceof HttpForward h ? "https://" + h.host() : f.listen().toString();
        return new Exposure(f.name(), where, reach, access, guarded, service, List.copyOf(warnings));
    }

    public List<String> texts() {
        return warnings.stream().map(Warning::text).toList();
    }
}
