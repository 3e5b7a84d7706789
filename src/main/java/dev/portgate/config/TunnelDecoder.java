package dev.portgate.config;

import dev.portgate.forward.BadHost;
import dev.portgate.forward.Durations;
import dev.portgate.forward.Forward;
import dev.portgate.forward.HostName;
import dev.portgate.forward.Limits;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.LocalForward;
import dev.portgate.forward.Origin;
import dev.portgate.forward.PortRange;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.RemoteForward;
import dev.portgate.forward.TargetSpec;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a {@code kind: local} or {@code kind: remote} entry (through the ssh-endpoint or tunnel-endpoint named by
 * {@code via}) into a forward. What only a portgate tunnel carries (UDP, ranges) is checked against the endpoint's
 * kind once every endpoint is known, in {@link ConfigFile}.
 */
final class TunnelDecoder {

    private static final Set<String> LOCAL_KEYS = ProtectionDecoder.with(Set.of(
            "name",
            "kind",
            "listen",
            "via",
            "target",
            "allow",
            "deny",
            "idle-timeout",
            "max-connections",
            "expires",
            "nodes",
            "enabled",
            "description"));
    private static final Set<String> REMOTE_KEYS = Set.of(
            "name",
            "kind",
            "listen",
            "host",
            "via",
            "target",
            "protocol",
            "proxy-protocol",
            "allow",
            "deny",
            "idle-timeout",
            "nodes",
            "enabled",
            "description");

    private TunnelDecoder() {}

    static Set<String> keys(String kind) {
        return kind.equals("local") ? LOCAL_KEYS : REMOTE_KEYS;
    }

    static String hint(String kind) {
        return kind.equals("local")
                ? "name, kind, listen, via, target, allow, deny, idle-timeout, max-connections, expires, nodes, enabled,"
                        + " description, "
                        + ProtectionDecoder.HINT
                : "name, kind, listen, host, via, target, protocol, proxy-protocol, allow, deny, idle-timeout, nodes,"
                        + " enabled, description";
    }

    /** The SSH endpoint named by {@code via}; a local or remote forward needs one, a dynamic may have one. */
    static String via(Fields f, boolean required) {
        if (!f.has("via")) {
            if (required) {
                f.problem("via", "via is missing — name the ssh-endpoint or tunnel-endpoint this tunnel goes through");
            }
            return null;
        }
        String via = f.scalar("via").orElse(null);
        if (via != null && !ForwardDecoder.NAME.matcher(via).matches()) {
            f.problem("via", "via: \"" + via + "\" is not an endpoint name");
            return null;
        }
        return via;
    }

    /** A site's exact name, full or short (a short one goes under the server's domain). */
    private static HostName siteName(String text) {
        try {
            return HostName.parse(text);
        } catch (BadHost e) {
            throw new IllegalArgumentException(e.getMessage() + " — host: names one site, e.g. demo.example.net");
        }
    }

    static Optional<Forward> decode(Fields f, int index, Origin origin, boolean local) {
        int before = f.problems().list().size();
        String name = ForwardDecoder.name(f, index);
        HostName host = local ? null : f.parsed("host", TunnelDecoder::siteName).orElse(null);
        if (host != null && f.has("listen")) {
            f.problem("listen", "listen: a site by name (host: " + host + ") has no port of its own — remove listen");
        }
        if (host != null
                && f.has("protocol")
                && !"tcp".equals(f.scalar("protocol").orElse(""))) {
            f.problem("protocol", "protocol: a site by name (host: " + host + ") carries tcp only — remove protocol");
        }
        ListenSpec listen = f.has("host") && !f.has("listen")
                ? RemoteForward.SITE_PORT
                : ForwardDecoder.required(
                        f,
                        "listen",
                        ListenSpec::parse,
                        local
                                ? "listen: [address:]port here, e.g. 127.0.0.1:15432"
                                : "listen: [address:]port on the SSH server, e.g. 0.0.0.0:8080");
        TargetSpec target = ForwardDecoder.required(
                f,
                "target",
                TargetSpec::parse,
                local
                        ? "target: host:port as the SSH server sees it, e.g. db.lan:5432"
                        : "target: host:port near this gateway, e.g. 127.0.0.1:3000");
        if (local && listen != null && listen.ports().size() != 1) {
            f.problem("listen", "listen: a local tunnel has one port, not the range " + listen.ports());
        }
        if (local && target != null && target.ports().size() != 1) {
            f.problem("target", "target: a local tunnel has one port, not the range " + target.ports());
        }
        if (host != null && target != null && target.ports().size() != 1) {
            f.problem("target", "target: a site by name has one target port, not the range " + target.ports());
        }
        if (!local && listen != null && target != null) {
            PortRange l = listen.ports();
            PortRange t = target.ports();
            if (t.size() != 1 && t.size() != l.size()) {
                f.problem(
                        "target",
                        "target range " + t + " has " + t.size() + " ports but listen range " + l + " has " + l.size()
                                + " — give one target port, or a range of the same size");
            }
        }
        String via = via(f, true);
        Set<Protocol> carried = local
                ? Set.of(Protocol.TCP)
                : f.parsed("protocol", Protocol::parseSet).orElse(Set.of(Protocol.TCP));
        ProxyProtocol proxy = local
                ? ProxyProtocol.NONE
                : f.parsed("proxy-protocol", ProxyProtocol::parse).orElse(ProxyProtocol.NONE);
        if (proxy == ProxyProtocol.V1 && carried != null && carried.contains(Protocol.UDP)) {
            f.problem("proxy-protocol", "proxy-protocol: UDP takes v2 only (v1 is text for TCP) — use v2");
        }
        Limits limits = local
                ? ForwardDecoder.limits(f)
                : new Limits(
                                ForwardDecoder.cidrs(f, "allow"),
                                ForwardDecoder.cidrs(f, "deny"),
                                f.parsed("idle-timeout", Durations::parse).orElse(Duration.ZERO),
                                0)
                        .withNodes(ForwardDecoder.nodes(f));
        if (limits.protection().targetTls()) {
            f.problem(
                    "target-tls",
                    "target-tls is for port forwards; the SSH tunnel already encrypts the way to the target");
        }
        boolean enabled = f.parsed("enabled", Fields::parseBoolean).orElse(true);
        String description = ForwardDecoder.description(f);
        if (f.problems().list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(
                local
                        ? new LocalForward(name, enabled, description, origin, listen, via, target, limits)
                        : new RemoteForward(
                                name, enabled, description, origin, listen, via, target, carried, limits, proxy, host));
    }
}
