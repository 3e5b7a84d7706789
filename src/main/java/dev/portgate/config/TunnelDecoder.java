package dev.portgate.config;

import dev.portgate.forward.Forward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.LocalForward;
import dev.portgate.forward.Origin;
import dev.portgate.forward.RemoteForward;
import dev.portgate.forward.TargetSpec;
import java.util.Optional;
import java.util.Set;

/** Turns a {@code kind: local} or {@code kind: remote} entry (an SSH tunnel through {@code via}) into a forward. */
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
            "enabled",
            "description"));
    private static final Set<String> REMOTE_KEYS =
            Set.of("name", "kind", "listen", "via", "target", "enabled", "description");

    private TunnelDecoder() {}

    static Set<String> keys(String kind) {
        return kind.equals("local") ? LOCAL_KEYS : REMOTE_KEYS;
    }

    static String hint(String kind) {
        return kind.equals("local")
                ? "name, kind, listen, via, target, allow, deny, idle-timeout, max-connections, expires, enabled, description, "
                        + ProtectionDecoder.HINT
                : "name, kind, listen, via, target, enabled, description";
    }

    /** The SSH endpoint named by {@code via}; a local or remote forward needs one, a dynamic may have one. */
    static String via(Fields f, boolean required) {
        if (!f.has("via")) {
            if (required) {
                f.problem("via", "via is missing — name the ssh-endpoint this tunnel goes through");
            }
            return null;
        }
        String via = f.scalar("via").orElse(null);
        if (via != null && !ForwardDecoder.NAME.matcher(via).matches()) {
            f.problem("via", "via: \"" + via + "\" is not an ssh-endpoint name");
            return null;
        }
        return via;
    }

    static Optional<Forward> decode(Fields f, int index, Origin origin, boolean local) {
        int before = f.problems().list().size();
        String name = ForwardDecoder.name(f, index);
        ListenSpec listen = ForwardDecoder.required(
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
        if (listen != null && listen.ports().size() != 1) {
            f.problem("listen", "listen: an SSH tunnel has one port, not the range " + listen.ports());
        }
        if (target != null && target.ports().size() != 1) {
            f.problem("target", "target: an SSH tunnel has one port, not the range " + target.ports());
        }
        String via = via(f, true);
        Limits limits = local ? ForwardDecoder.limits(f) : Limits.NONE;
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
                        : new RemoteForward(name, enabled, description, origin, listen, via, target));
    }
}
