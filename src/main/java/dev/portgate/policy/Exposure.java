package dev.portgate.policy;

import dev.portgate.forward.DynamicForward;
import dev.portgate.forward.Forward;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.Protection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How exposed a forward's door is: who can reach it (loopback only, an allow-list, or anyone), how
 * it is guarded, and a warning when a well-known risky service is reachable from anywhere unguarded.
 */
public record Exposure(
        String forward,
        String listen,
        String reach,
        String access,
        boolean guarded,
        String service,
        List<String> warnings) {

    /** Services scanners look for first, by port. */
    private static final Map<Integer, String> RISKY = Map.ofEntries(
            Map.entry(21, "FTP"),
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

    public static Exposure of(Forward f, Firewall firewall) {
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
            service = RISKY.getOrDefault(
                    pf.target().ports().first(),
                    RISKY.getOrDefault(pf.listen().ports().first(), ""));
        }
        List<String> warnings = new ArrayList<>();
        if (f.enabled() && reach.equals("anyone") && !guarded) {
            if (!service.isEmpty()) {
                warnings.add(
                        service
                                + " is reachable from anywhere without protection — add allow:, or access: knock/login, or client certificates");
            }
            if (f instanceof DynamicForward) {
                warnings.add("an open proxy: anyone can use it to reach your network");
            }
        }
        if (f.enabled()
                && !loopback
                && p.access() == Protection.Access.OPEN
                && p.rateLimit() == null
                && !service.isEmpty()
                && reach.equals("anyone")) {
            warnings.add("no rate-limit: password guessing against " + service + " runs at full speed");
        }
        return new Exposure(f.name(), f.listen().toString(), reach, access, guarded, service, List.copyOf(warnings));
    }
}
