package dev.portgate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Option;

/** A forward's fields as options: the config file's keys, each optional (edit sends only what is given). */
final class ForwardFields {

    @Option(names = "--protocol", paramLabel = "tcp|udp|both", description = "protocol (default tcp)")
    String protocol;

    @Option(names = "--listen", paramLabel = "[ADDR:]PORT[-LAST]", description = "where to listen, e.g. 0.0.0.0:8080")
    String listen;

    @Option(names = "--target", paramLabel = "HOST:PORT[-LAST]", description = "where to forward, e.g. 192.168.1.5:80")
    String target;

    @Option(
            names = "--allow",
            paramLabel = "CIDR",
            split = ",",
            description = "allowed sources (repeat, or comma-separated); \"\" clears")
    List<String> allow;

    @Option(names = "--deny", paramLabel = "CIDR", split = ",", description = "denied sources; \"\" clears")
    List<String> deny;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            description = "close idle connections after this long, e.g. 10m")
    String idleTimeout;

    @Option(names = "--max-connections", paramLabel = "N", description = "concurrent connections (0 = no limit)")
    String maxConnections;

    @Option(names = "--proxy-protocol", paramLabel = "none|v1|v2", description = "send the PROXY header to the target")
    String proxyProtocol;

    @Option(
            names = "--data-plane",
            paramLabel = "auto|kernel|relay",
            description = "carry it in the kernel (nftables NAT), in portgate's relay, or wherever it fits (auto)")
    String dataPlane;

    @Option(
            names = "-L",
            paramLabel = "[bind:]port:host:hostport",
            description = "ssh's form of --listen and --target together, e.g. -L 8080:192.168.1.5:80 (no bind: every"
                    + " address)")
    String sshStyle;

    @Option(names = "--description", paramLabel = "TEXT", description = "free text")
    String description;

    @Option(names = "--disabled", description = "off: add creates it disabled, edit disables it")
    boolean disabled;

    @Option(
            names = "--expires",
            paramLabel = "TIME|DURATION",
            description = "remove it then, e.g. 2h or 2026-12-01T18:00:00Z")
    String expires;

    @Option(names = "--access", paramLabel = "open|knock|login|tls", description = "who may start connections")
    String access;

    @Option(names = "--knock-key", paramLabel = "FILE", description = "the knock key file (access knock)")
    String knockKey;

    @Option(names = "--open-for", paramLabel = "DURATION", description = "how long a knock or login opens the door")
    String openFor;

    @Option(
            names = "--close-when-idle",
            paramLabel = "DURATION",
            description = "disable it after this long without traffic")
    String closeWhenIdle;

    @Option(names = "--rate-limit", paramLabel = "N/s|N/m|N/h", description = "new connections per source address")
    String rateLimit;

    @Option(names = "--bandwidth", paramLabel = "RATE", description = "shaping per forward and direction, e.g. 50Mbit")
    String bandwidth;

    @Option(names = "--tls-certificate", paramLabel = "FILE", description = "PEM certificate (access tls)")
    String tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM key (access tls)")
    String tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "FILE", description = "require client certificates from this CA")
    String tlsClientCa;

    @Option(names = "--target-tls", paramLabel = "true|false", description = "TLS towards the target")
    String targetTls;

    @Option(names = "--target-ca", paramLabel = "FILE", description = "CA that signed the target's certificate")
    String targetCa;

    ObjectNode toJson(String name) {
        ObjectNode o = ApiClient.JSON.createObjectNode();
        if (name != null) {
            o.put("name", name);
        }
        put(o, "protocol", protocol);
        if (listen != null && looksLikeSshForm(listen)) {
            throw new IllegalArgumentException("--listen " + listen + " looks like ssh's -L form: write -L " + listen
                    + ", or --listen PORT --target HOST:PORT");
        }
        if (sshStyle != null) {
            if (listen != null || target != null) {
                throw new IllegalArgumentException(
                        "-L gives both the listen and the target: leave out --listen and" + " --target");
            }
            String[] p = SshCommand.split(sshStyle, 4);
            put(o, "listen", (p[0].isEmpty() || p[0].equals("*") ? "" : bracket(p[0]) + ":") + p[1]);
            put(o, "target", bracket(p[2]) + ":" + p[3]);
        }
        put(o, "listen", listen);
        put(o, "target", target);
        list(o, "allow", allow);
        list(o, "deny", deny);
        put(o, "idle-timeout", idleTimeout);
        put(o, "max-connections", maxConnections);
        put(o, "proxy-protocol", proxyProtocol);
        put(o, "data-plane", dataPlane);
        put(o, "description", description);
        put(o, "expires", expires);
        put(o, "access", access);
        put(o, "knock-key", knockKey);
        put(o, "open-for", openFor);
        put(o, "close-when-idle", closeWhenIdle);
        put(o, "rate-limit", rateLimit);
        put(o, "bandwidth", bandwidth);
        put(o, "tls-certificate", tlsCertificate);
        put(o, "tls-key", tlsKey);
        put(o, "tls-client-ca", tlsClientCa);
        put(o, "target-tls", targetTls);
        put(o, "target-ca", targetCa);
        if (disabled) {
            o.put("enabled", false);
        }
        return o;
    }

    /** port:host:hostport or bind:port:host:hostport — three or more colons outside brackets, a port first or second. */
    static boolean looksLikeSshForm(String s) {
        return !s.startsWith("[") && s.matches("([^:\\[\\]]+:)?\\d{1,5}:[^:]+:\\d{1,5}(-\\d{1,5})?");
    }

    /** An IPv6 literal gets its brackets, as host:port needs. */
    static String bracket(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static void put(ObjectNode o, String key, String value) {
        if (value != null) {
            o.put(key, value);
        }
    }

    private static void list(ObjectNode o, String key, List<String> values) {
        if (values != null) {
            ArrayNode a = o.putArray(key);
            values.stream().map(String::strip).filter(v -> !v.isEmpty()).forEach(a::add);
        }
    }
}
