package dev.portgate.config;

import dev.portgate.forward.Destination;
import dev.portgate.forward.DynamicForward;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Protection;
import dev.portgate.forward.ProxyKind;
import dev.portgate.forward.ProxyUser;
import dev.portgate.policy.PasswordHash;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;

/** Turns a {@code kind: dynamic} entry into a {@link DynamicForward}, or reports every problem it has. */
final class DynamicDecoder {

    static final Set<String> KEYS = ProtectionDecoder.with(Set.of(
            "name",
            "kind",
            "listen",
            "protocols",
            "users",
            "permit-open",
            "deny-open",
            "open-proxy",
            "via",
            "allow",
            "deny",
            "idle-timeout",
            "max-connections",
            "expires",
            "nodes",
            "enabled",
            "description"));
    static final String KEYS_HINT =
            "name, kind, listen, protocols, users, permit-open, deny-open, open-proxy, via, allow, deny, "
                    + "idle-timeout, max-connections, expires, nodes, enabled, description, " + ProtectionDecoder.HINT;
    private static final Set<String> USER_KEYS = Set.of("name", "password-hash");

    private DynamicDecoder() {}

    static Optional<Forward> decode(Fields f, int index, Origin origin) {
        Problems problems = f.problems();
        int before = problems.list().size();
        String name = ForwardDecoder.name(f, index);
        ListenSpec listen =
                ForwardDecoder.required(f, "listen", ListenSpec::parse, "listen: [address:]port, e.g. 127.0.0.1:1080");
        if (listen != null && listen.ports().size() != 1) {
            f.problem("listen", "listen: a proxy listens on one port, not the range " + listen.ports());
        }
        Set<ProxyKind> proxies = EnumSet.of(ProxyKind.SOCKS5, ProxyKind.HTTP);
        if (f.has("protocols")) {
            proxies = EnumSet.noneOf(ProxyKind.class);
            for (String p : f.list("protocols").orElse(List.of())) {
                f.parse("protocols", p, f.at("protocols"), ProxyKind::parse).ifPresent(proxies::add);
            }
            if (proxies.isEmpty() && problems.list().size() == before) {
                f.problem("protocols", "protocols is empty — list socks5, socks4a and/or http");
            }
        }
        List<ProxyUser> users = users(f);
        List<Destination> permit = destinations(f, "permit-open");
        List<Destination> deny = destinations(f, "deny-open");
        if (!f.has("permit-open")) {
            f.problem(
                    "permit-open",
                    "permit-open is missing — list where clients may go, e.g. [\"0.0.0.0/0:443\", \"10.0.0.0/8:*\"], "
                            + "or [\"*:*\"] for anywhere");
        }
        boolean openProxy = f.parsed("open-proxy", Fields::parseBoolean).orElse(false);
        String via = TunnelDecoder.via(f, false);
        Limits limits = ForwardDecoder.limits(f);
        if (limits.protection().access() == Protection.Access.TLS
                || limits.protection().targetTls()) {
            f.problem(
                    limits.protection().targetTls() ? "target-tls" : "access",
                    "TLS termination and target-tls are for port and local forwards, not proxies");
        }
        boolean enabled = f.parsed("enabled", Fields::parseBoolean).orElse(true);
        String description = ForwardDecoder.description(f);
        if (listen != null && !listen.address().isLoopbackAddress() && users.isEmpty() && !openProxy) {
            f.problem(
                    "open-proxy",
                    "a proxy without users on " + listen.host() + " is open to anyone who reaches it — add users, "
                            + "listen on 127.0.0.1, or set open-proxy: true");
        }
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new DynamicForward(
                name, enabled, description, origin, listen, proxies, users, permit, deny, openProxy, limits, via));
    }

    private static List<ProxyUser> users(Fields f) {
        List<ProxyUser> users = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (MappingNode m : f.mappings("users").orElse(List.of())) {
            Fields u = new Fields(m, f.problems(), f.owner(), USER_KEYS, "name, password-hash");
            String name = u.scalar("name").orElse(null);
            String hash = u.scalar("password-hash").orElse(null);
            if (name == null || name.isBlank() || name.length() > 255) {
                u.problem("name", "users: each user needs a name of 1 to 255 characters");
                continue;
            }
            if (hash == null) {
                u.problem(
                        "password-hash",
                        "users: user \"" + name + "\" has no password-hash — make one with: portgate hash-password");
            } else if (!PasswordHash.isWellFormed(hash)) {
                u.problem(
                        "password-hash",
                        "users: the password-hash of \"" + name
                                + "\" is not one portgate made — make one with: portgate hash-password");
            } else if (!seen.add(name)) {
                u.problem("name", "users: user \"" + name + "\" is listed twice");
            } else {
                users.add(new ProxyUser(name, hash));
            }
        }
        return users;
    }

    private static List<Destination> destinations(Fields f, String key) {
        List<Destination> out = new ArrayList<>();
        for (String s : f.list(key).orElse(List.of())) {
            f.parse(key, s, f.at(key), Destination::parse).ifPresent(out::add);
        }
        return out;
    }
}
