package dev.portgate.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.forward.Cidr;
import dev.portgate.forward.Durations;
import dev.portgate.forward.DynamicForward;
import dev.portgate.forward.Forward;
import dev.portgate.forward.HttpForward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.LocalForward;
import dev.portgate.forward.Origin;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.Problem;
import dev.portgate.forward.Protection;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.ProxyUser;
import dev.portgate.forward.RemoteForward;
import dev.portgate.forward.SshSessionForward;
import dev.portgate.forward.TunnelSessionForward;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Forwards as JSON with the config file's keys — what the REST API speaks and the store keeps.
 * Decoding goes through the same {@link ForwardDecoder} as the YAML file, so both say the same
 * things about the same mistakes.
 */
public final class ForwardJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ForwardJson() {}

    public static ObjectNode encode(Forward forward) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("name", forward.name());
        o.put("kind", forward.kind());
        if (forward instanceof PortForward pf) {
            o.put("protocol", Protocol.label(pf.protocols()));
            o.put("listen", pf.listen().toString());
            o.put("target", pf.target().toString());
            limits(o, pf.limits());
            o.put("proxy-protocol", pf.proxyProtocol().label());
            o.put("data-plane", pf.dataPlane().label());
        } else if (forward instanceof DynamicForward df) {
            o.put("listen", df.listen().toString());
            ArrayNode protocols = o.putArray("protocols");
            EnumSet.copyOf(df.proxies()).forEach(p -> protocols.add(p.label()));
            ArrayNode users = o.putArray("users");
            for (ProxyUser u : df.users()) {
                users.addObject().put("name", u.name()).put("password-hash", u.passwordHash());
            }
            ArrayNode permit = o.putArray("permit-open");
            df.permitOpen().forEach(d -> permit.add(d.toString()));
            ArrayNode denyOpen = o.putArray("deny-open");
            df.denyOpen().forEach(d -> denyOpen.add(d.toString()));
            o.put("open-proxy", df.openProxy());
            if (df.via() != null) {
                o.put("via", df.via());
            }
            limits(o, df.limits());
        } else if (forward instanceof HttpForward hf) {
            o.put("host", hf.host().toString());
            o.put("target", hf.target().toString());
            o.put("tls", hf.tls().label());
            if (hf.proxyProtocol() != ProxyProtocol.NONE) {
                o.put("proxy-protocol", hf.proxyProtocol().label());
            }
            limits(o, hf.limits());
        } else if (forward instanceof LocalForward lf) {
            o.put("listen", lf.listen().toString());
            o.put("via", lf.via());
            o.put("target", lf.target().toString());
            limits(o, lf.limits());
        } else if (forward instanceof SshSessionForward sf) {
            o.put("listen", sf.listen().toString());
            o.put("target", "ssh session " + sf.origin().owner());
        } else if (forward instanceof TunnelSessionForward tf) {
            o.put("protocol", Protocol.label(tf.protocols()));
            o.put("listen", tf.listen().toString());
            o.put("target", "tunnel client " + tf.origin().owner());
            ArrayNode allow = o.putArray("allow");
            tf.limits().allow().stream().map(Cidr::toString).forEach(allow::add);
            ArrayNode deny = o.putArray("deny");
            tf.limits().deny().stream().map(Cidr::toString).forEach(deny::add);
        } else if (forward instanceof RemoteForward rf) {
            if (rf.host() == null) {
                o.put("protocol", Protocol.label(rf.carried()));
                o.put("listen", rf.listen().toString());
            } else {
                o.put("host", rf.host().toString());
            }
            o.put("via", rf.via());
            o.put("target", rf.target().toString());
            if (rf.proxyProtocol() != ProxyProtocol.NONE) {
                o.put("proxy-protocol", rf.proxyProtocol().label());
            }
            if (!rf.limits().allow().isEmpty()) {
                ArrayNode allow = o.putArray("allow");
                rf.limits().allow().stream().map(Cidr::toString).forEach(allow::add);
            }
            if (!rf.limits().deny().isEmpty()) {
                ArrayNode deny = o.putArray("deny");
                rf.limits().deny().stream().map(Cidr::toString).forEach(deny::add);
            }
            if (!rf.limits().idleTimeout().isZero()) {
                o.put("idle-timeout", Durations.format(rf.limits().idleTimeout()));
            }
            nodes(o, rf.limits());
        }
        o.put("enabled", forward.enabled());
        o.put("description", forward.description());
        return o;
    }

    private static void limits(ObjectNode o, Limits limits) {
        ArrayNode allow = o.putArray("allow");
        limits.allow().stream().map(Cidr::toString).forEach(allow::add);
        ArrayNode deny = o.putArray("deny");
        limits.deny().stream().map(Cidr::toString).forEach(deny::add);
        o.put("idle-timeout", Durations.format(limits.idleTimeout()));
        o.put("max-connections", limits.maxConnections());
        if (limits.expires() != null) {
            o.put("expires", limits.expires().toString());
        }
        nodes(o, limits);
        protection(o, limits.protection());
    }

    private static void nodes(ObjectNode o, Limits limits) {
        if (!limits.nodes().isEmpty()) {
            ArrayNode nodes = o.putArray("nodes");
            limits.nodes().forEach(nodes::add);
        }
    }

    /** Only what differs from an open door is written, so plain forwards stay short. */
    private static void protection(ObjectNode o, Protection p) {
        if (p.isNone()) {
            return;
        }
        o.put("access", p.access().label());
        if (p.knockKey() != null) {
            o.put("knock-key", p.knockKey().toString());
        }
        if (p.access().gated() || !p.openFor().equals(Protection.DEFAULT_OPEN_FOR)) {
            o.put("open-for", Durations.format(p.openFor()));
        }
        if (!p.closeWhenIdle().isZero()) {
            o.put("close-when-idle", Durations.format(p.closeWhenIdle()));
        }
        if (p.rateLimit() != null) {
            o.put("rate-limit", p.rateLimit().toString());
        }
        if (p.bandwidth() > 0) {
            o.put("bandwidth", Protection.formatBandwidth(p.bandwidth()));
        }
        if (p.tls() != null) {
            if (p.tls().certificate() != null) {
                o.put("tls-certificate", p.tls().certificate().toString());
                o.put("tls-key", p.tls().key().toString());
            }
            if (p.tls().clientCa() != null) {
                o.put("tls-client-ca", p.tls().clientCa().toString());
            }
        }
        if (p.targetTls()) {
            o.put("target-tls", true);
            if (p.targetCa() != null) {
                o.put("target-ca", p.targetCa().toString());
            }
        }
    }

    /** For showing: users keep their names, never their password hashes. */
    public static ObjectNode encodePublic(Forward forward) {
        ObjectNode o = encode(forward);
        if (o.get("users") instanceof ArrayNode users) {
            users.forEach(u -> ((ObjectNode) u).remove("password-hash"));
        }
        return o;
    }

    public static String encodeText(Forward forward) {
        return encode(forward).toString();
    }

    /** Decodes a JSON object; problems carry the forward, the field and a message, no line. */
    public static Optional<Forward> decode(JsonNode json, Origin origin, Problems problems) {
        if (!json.isObject()) {
            problems.add(null, "", "", "a forward must be a JSON object with keys such as name, listen and target");
            return Optional.empty();
        }
        return ForwardDecoder.decode((MappingNode) toYaml(json), 0, origin, problems);
    }

    /** Decodes stored JSON text (written by {@link #encode}); a stored row that no longer parses is an error. */
    /** The same forward with another origin (its stored form read back under that origin). */
    public static Forward withOrigin(Forward f, Origin origin) {
        try {
            return decodeStored(encodeText(f), origin);
        } catch (ConfigException e) {
            throw new IllegalStateException("forward \"" + f.name() + "\" does not read back: " + e.getMessage(), e);
        }
    }

    public static Forward decodeStored(String text, Origin origin) throws ConfigException {
        try {
            Problems problems = new Problems("stored forward");
            Optional<Forward> f = decode(MAPPER.readTree(text), origin, problems);
            if (f.isEmpty()) {
                throw new ConfigException(problems.list());
            }
            return f.get();
        } catch (JsonProcessingException e) {
            throw new ConfigException(
                    List.of(new Problem("stored forward", "", "", "not JSON: " + e.getOriginalMessage())));
        }
    }

    static Node toYaml(JsonNode json) {
        if (json.isObject()) {
            List<NodeTuple> tuples = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : json.properties()) {
                tuples.add(new NodeTuple(scalar(e.getKey()), toYaml(e.getValue())));
            }
            return new MappingNode(Tag.MAP, tuples, DumperOptions.FlowStyle.FLOW);
        }
        if (json.isArray()) {
            List<Node> items = new ArrayList<>();
            json.forEach(item -> items.add(toYaml(item)));
            return new SequenceNode(Tag.SEQ, items, DumperOptions.FlowStyle.FLOW);
        }
        return scalar(json.isNull() ? "" : json.asText());
    }

    private static ScalarNode scalar(String value) {
        return new ScalarNode(Tag.STR, value, null, null, DumperOptions.ScalarStyle.PLAIN);
    }
}
