package dev.portgate.config;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Durations;
import dev.portgate.igd.IgdConfig;
import dev.portgate.igd.Permission;
import dev.portgate.igd.UpstreamConfig;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;

/** Reads the {@code igd:} and {@code upstream:} sections, reporting every problem with its line. */
final class IgdDecoder {

    private static final Set<String> KEYS = Set.of(
            "lan",
            "external-address",
            "listen",
            "upnp",
            "http-port",
            "nat-pmp",
            "pcp",
            "pmp-port",
            "secure-mode",
            "third-party",
            "lease",
            "max-leases-per-device",
            "permissions");
    private static final String HINT =
            "lan, external-address, listen, upnp, http-port, nat-pmp, pcp, pmp-port, secure-mode, "
                    + "third-party, lease, max-leases-per-device, permissions";
    private static final Set<String> UPSTREAM_KEYS =
            Set.of("map", "method", "gateway", "url", "lifetime", "check-interval");

    private IgdDecoder() {}

    static Optional<IgdConfig> decode(MappingNode node, Problems problems) {
        int before = problems.list().size();
        Fields f = new Fields(node, problems, "", KEYS, HINT);
        List<InetAddress> lan = new ArrayList<>();
        for (String s : f.list("lan").orElse(List.of())) {
            f.parse("lan", s, f.at("lan"), IgdDecoder::lanAddresses).ifPresent(lan::addAll);
        }
        if (!f.has("lan")) {
            f.problem(
                    "lan",
                    "igd: lan is missing — list the LAN-side addresses or interfaces to serve on, e.g. lan: [ 192.168.1.1 ]");
        }
        InetAddress external = f.parsed("external-address", IgdDecoder::address).orElse(null);
        InetAddress listen = f.parsed("listen", IgdDecoder::address).orElse(Addresses.literal("0.0.0.0"));
        boolean upnp = f.parsed("upnp", Fields::parseBoolean).orElse(true);
        int httpPort = f.parsed("http-port", IgdDecoder::port).orElse(IgdConfig.DEFAULT_HTTP_PORT);
        boolean natPmp = f.parsed("nat-pmp", Fields::parseBoolean).orElse(true);
        boolean pcp = f.parsed("pcp", Fields::parseBoolean).orElse(true);
        int pmpPort = f.parsed("pmp-port", IgdDecoder::port).orElse(IgdConfig.PMP_PORT);
        boolean secure = f.parsed("secure-mode", Fields::parseBoolean).orElse(true);
        boolean thirdParty = f.parsed("third-party", Fields::parseBoolean).orElse(false);
        Duration min = Duration.ofMinutes(2);
        Duration max = Duration.ofDays(7);
        if (f.has("lease")) {
            if (f.at("lease") instanceof MappingNode lm) {
                Fields l = new Fields(lm, problems, "", Set.of("min", "max"), "min, max");
                min = l.parsed("min", Durations::parse).orElse(min);
                max = l.parsed("max", Durations::parse).orElse(max);
                if (min.compareTo(max) > 0) {
                    l.problem(
                            "min",
                            "igd: lease: min " + Durations.format(min) + " is longer than max "
                                    + Durations.format(max));
                }
                if (min.isZero() || max.toSeconds() > 0xffffffffL) {
                    l.problem("max", "igd: lease: min must be above 0 and max at most 4294967295s");
                }
            } else {
                f.problem("lease", "igd: lease must be a mapping like { min: 120s, max: 7d }");
            }
        }
        int perDevice = f.parsed("max-leases-per-device", Fields::parseCount).orElse(64);
        List<Permission> permissions = new ArrayList<>();
        for (String s : f.list("permissions").orElse(List.of())) {
            f.parse("permissions", s, f.at("permissions"), Permission::parse).ifPresent(permissions::add);
        }
        if (!f.has("permissions")) {
            // miniupnpd's stock rule: unprivileged ports only, for any device; everything else denied.
            permissions.add(Permission.parse("allow 1024-65535 0.0.0.0/0 1024-65535"));
            permissions.add(Permission.parse("allow 1024-65535 ::/0 1024-65535"));
        }
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new IgdConfig(
                lan,
                external,
                listen,
                upnp,
                httpPort,
                natPmp,
                pcp,
                pmpPort,
                secure,
                thirdParty,
                min,
                max,
                perDevice,
                permissions));
    }

    /** {@code forwards}: the names the file declares, which {@code map} may name. */
    static Optional<UpstreamConfig> decodeUpstream(MappingNode node, Problems problems, Set<String> forwards) {
        int before = problems.list().size();
        Fields f = new Fields(node, problems, "", UPSTREAM_KEYS, "map, method, gateway, url, lifetime, check-interval");
        List<String> map = f.list("map").orElse(List.of());
        for (String name : map) {
            if (!forwards.contains(name) && !name.matches("(tcp|udp)/\\d{1,5}")) {
                f.problem(
                        "map",
                        "upstream: map: there is no forward named \"" + name
                                + "\" in this file (or write a port like tcp/8080)");
            }
        }
        UpstreamConfig.Method method =
                f.parsed("method", UpstreamConfig.Method::parse).orElse(UpstreamConfig.Method.AUTO);
        InetAddress gateway = f.parsed("gateway", IgdDecoder::address).orElse(null);
        URI url = f.parsed("url", IgdDecoder::url).orElse(null);
        Duration lifetime = f.parsed("lifetime", Durations::parse).orElse(Duration.ofHours(1));
        if (lifetime.toSeconds() < 60) {
            f.problem("lifetime", "upstream: lifetime must be at least 60s (it is renewed at half-time)");
        }
        Duration check = f.parsed("check-interval", Durations::parse).orElse(Duration.ofSeconds(30));
        if (check.toMillis() < 500) {
            f.problem("check-interval", "upstream: check-interval must be at least 500ms");
        }
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new UpstreamConfig(map, method, gateway, url, lifetime, check));
    }

    private static InetAddress address(String s) {
        InetAddress a = Addresses.literal(s.strip());
        if (a == null) {
            throw new IllegalArgumentException("\"" + s + "\" is not an IP address");
        }
        return Addresses.unmap(a);
    }

    /** An address, or an interface name standing for its addresses. */
    private static List<InetAddress> lanAddresses(String s) {
        InetAddress a = Addresses.literal(s.strip());
        if (a != null) {
            if (a.isAnyLocalAddress()) {
                throw new IllegalArgumentException(
                        s + " is every address, the WAN side too — name the LAN-side address or interface");
            }
            return List.of(Addresses.unmap(a));
        }
        try {
            NetworkInterface nic = NetworkInterface.getByName(s.strip());
            if (nic == null) {
                throw new IllegalArgumentException(
                        "\"" + s + "\" is neither an IP address nor a network interface of this machine");
            }
            List<InetAddress> out = Collections.list(nic.getInetAddresses());
            if (out.isEmpty()) {
                throw new IllegalArgumentException("interface " + s + " has no address");
            }
            return out;
        } catch (SocketException e) {
            throw new IllegalArgumentException("cannot read interface " + s + ": " + e.getMessage());
        }
    }

    private static int port(String s) {
        int p = Fields.parseCount(s);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port " + s + " is out of range — use 1-65535");
        }
        return p;
    }

    private static URI url(String s) {
        try {
            URI u = URI.create(s.strip());
            if (!"http".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("\"" + s + "\" is not an http:// URL of a root description");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + s + "\" is not an http:// URL of a root description");
        }
    }
}
