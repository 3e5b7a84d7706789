package dev.portgate.config;

import dev.portgate.forward.BadHost;
import dev.portgate.forward.Forward;
import dev.portgate.forward.HostPattern;
import dev.portgate.forward.HttpForward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Protection;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.SiteTls;
import dev.portgate.forward.TargetSpec;
import java.util.Optional;
import java.util.Set;

/** Turns a {@code kind: http} entry (a site by name on the shared http/https ports) into an {@link HttpForward}. */
final class HttpDecoder {

    static final Set<String> KEYS = Set.of(
            "name",
            "kind",
            "host",
            "target",
            "tls",
            "access",
            "open-for",
            "rate-limit",
            "bandwidth",
            "target-tls",
            "target-ca",
            "proxy-protocol",
            "allow",
            "deny",
            "idle-timeout",
            "max-connections",
            "expires",
            "nodes",
            "enabled",
            "description");
    static final String KEYS_HINT = String.join(", ", KEYS.stream().sorted().toList());

    private HttpDecoder() {}

    static Optional<Forward> decode(Fields f, int index, Origin origin) {
        Problems problems = f.problems();
        int before = problems.list().size();
        String name = ForwardDecoder.name(f, index);
        HostPattern host = ForwardDecoder.required(
                f, "host", HttpDecoder::host, "host: the site's name, e.g. blog.example.net or *.example.net");
        TargetSpec target = ForwardDecoder.required(
                f, "target", TargetSpec::parse, "target: host:port of the web server, e.g. 192.168.1.10:8080");
        if (target != null && target.ports().size() != 1) {
            f.problem("target", "target: a site goes to one port, not the range " + target.ports());
        }
        SiteTls tls = f.parsed("tls", SiteTls::parse).orElse(SiteTls.TERMINATE);
        Limits limits = ForwardDecoder.limits(f);
        Protection p = limits.protection();
        if (p.access() != Protection.Access.OPEN && p.access() != Protection.Access.LOGIN) {
            f.problem("access", "access: a site is open or behind a login — use access: open or access: login");
        }
        if (tls == SiteTls.PASSTHROUGH) {
            if (p.access() == Protection.Access.LOGIN) {
                f.problem(
                        "access",
                        "access: login needs portgate to read the requests, so not with tls: passthrough — use "
                                + "tls: terminate");
            }
            if (p.targetTls()) {
                f.problem("target-tls", "target-tls: with tls: passthrough the target already does TLS — remove it");
            }
        }
        ProxyProtocol proxy = f.parsed("proxy-protocol", ProxyProtocol::parse).orElse(ProxyProtocol.NONE);
        if (proxy != ProxyProtocol.NONE && tls == SiteTls.TERMINATE) {
            f.problem(
                    "proxy-protocol",
                    "proxy-protocol: a terminated site tells its target the client in X-Forwarded-For and Forwarded "
                            + "headers — PROXY protocol is for tls: passthrough");
        }
        boolean enabled = f.parsed("enabled", Fields::parseBoolean).orElse(true);
        String description = ForwardDecoder.description(f);
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new HttpForward(name, enabled, description, origin, host, target, tls, limits, proxy));
    }

    static HostPattern host(String text) {
        try {
            return HostPattern.parse(text);
        } catch (BadHost e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }
}
