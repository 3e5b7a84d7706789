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

    @Option(names = "--allow", paramLabel = "CIDR", split = ",", description = "allowed sources (repeat, or comma-separated); \"\" clears")
    List<String> allow;

    @Option(names = "--deny", paramLabel = "CIDR", split = ",", description = "denied sources; \"\" clears")
    List<String> deny;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", description = "close idle connections after this long, e.g. 10m")
    String idleTimeout;

    @Option(names = "--max-connections", paramLabel = "N", description = "concurrent connections (0 = no limit)")
    String maxConnections;

    @Option(names = "--proxy-protocol", paramLabel = "none|v1|v2", description = "send the PROXY header to the target")
    String proxyProtocol;

    @Option(names = "--description", paramLabel = "TEXT", description = "free text")
    String description;

    @Option(names = "--disabled", description = "create it disabled")
    boolean disabled;

    ObjectNode toJson(String name) {
        ObjectNode o = ApiClient.JSON.createObjectNode();
        if (name != null) {
            o.put("name", name);
        }
        put(o, "protocol", protocol);
        put(o, "listen", listen);
        put(o, "target", target);
        list(o, "allow", allow);
        list(o, "deny", deny);
        put(o, "idle-timeout", idleTimeout);
        put(o, "max-connections", maxConnections);
        put(o, "proxy-protocol", proxyProtocol);
        put(o, "description", description);
        if (disabled) {
            o.put("enabled", false);
        }
        return o;
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
