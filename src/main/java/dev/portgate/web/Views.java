package dev.portgate.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.config.ForwardJson;
import dev.portgate.forward.Addresses;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Problem;
import dev.portgate.kernel.KernelFlow;
import dev.portgate.net.Connection;
import dev.portgate.net.ForwardStats;
import dev.portgate.net.TargetHealth;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.store.AuditEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** JSON shapes the API returns; field names are the config file's keys where there is one. */
final class Views {

    /** Reads bodies strictly (a repeated key is refused, not silently last-wins) and writes the API's answers. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Views() {}

    static ObjectNode forward(Forward f, ForwardStatus status) {
        ObjectNode o = ForwardJson.encodePublic(f);
        o.put("origin", f.origin().kind().label());
        o.put("origin-detail", f.origin().owner());
        o.put("state", status == null ? "pending" : status.state().name().toLowerCase(Locale.ROOT));
        if (status != null && status.error() != null) {
            o.put("error", status.error());
        }
        if (status != null) {
            // Which data plane carries it now, and why not the kernel.
            o.put("plane", status.placement().plane().name().toLowerCase(Locale.ROOT));
            if (status.placement().reason() != null) {
                o.put("plane-reason", status.placement().reason());
            }
        }
        if (status != null && status.active() != null && status.active().warning() != null) {
            o.put("warning", status.active().warning());
        }
        if (status != null && status.active() != null) {
            TargetHealth.Snapshot h = status.active().health().snapshot();
            ObjectNode health = o.putObject("target-health");
            health.put("state", h.state().name().toLowerCase(Locale.ROOT));
            if (h.reason() != null) {
                health.put("reason", h.reason());
            }
            if (h.since() != null) {
                health.put("since", h.since().toString());
            }
            if (h.checked() != null) {
                health.put("checked", h.checked().toString());
            }
        }
        ObjectNode stats = o.putObject("stats");
        if (status != null && status.active() != null) {
            ForwardStats.Snapshot s = status.active().stats().snapshot();
            stats.put("bytes-in", s.bytesIn());
            stats.put("bytes-out", s.bytesOut());
            stats.put(
                    "connections-active",
                    status.placement().kernel()
                            ? s.connectionsActive()
                            : status.active().activeCount());
            stats.put("connections-total", s.connectionsTotal() + s.sessionsTotal());
            stats.put("udp-packets-in", s.packetsIn());
            stats.put("udp-packets-out", s.packetsOut());
            stats.put("refused-denied", s.refusedDenied());
            stats.put("refused-limit", s.refusedLimit());
            stats.put("refused-banned", s.refusedBanned());
            stats.put("refused-closed", s.refusedClosed());
            stats.put("refused-rate", s.refusedRate());
            stats.put("refused-accept", s.refusedAccept());
            stats.put("dial-failures", s.dialFailures());
            stats.put("udp-dropped", s.packetsDropped());
        }
        return o;
    }

    static ObjectNode connection(Connection c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", c.id());
        o.put("forward", c.forward());
        o.put("protocol", c.protocol().label());
        o.put("client", Addresses.format(c.client()));
        o.put("target", c.target());
        o.put("bytes-in", c.bytesIn());
        o.put("bytes-out", c.bytesOut());
        o.put("started", c.started().toString());
        o.put("age-seconds", Duration.between(c.started(), Instant.now()).toSeconds());
        return o;
    }

    /** A kernel-forwarded flow: no id to close it by, no byte counts (conntrack keeps none by default). */
    static ObjectNode kernelFlow(KernelFlow f) {
        ObjectNode o = JSON.createObjectNode();
        o.put("forward", f.forward());
        o.put("plane", "kernel");
        o.put("protocol", f.protocol());
        o.put("client", Addresses.hostPort(f.client(), f.clientPort()));
        o.put("listen", f.listen());
        o.put("target", f.target());
        o.put("state", f.state());
        o.put("unreplied", f.unreplied());
        return o;
    }

    static ObjectNode audit(AuditEntry e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", e.id());
        o.put("at", e.at().toString());
        o.put("actor", e.actor());
        o.put("source", e.source());
        o.put("action", e.action());
        o.put("subject", e.subject());
        putJson(o, "before", e.before());
        putJson(o, "after", e.after());
        o.put("detail", e.detail());
        return o;
    }

    private static void putJson(ObjectNode o, String key, String text) {
        if (text == null) {
            o.putNull(key);
            return;
        }
        try {
            o.set(key, JSON.readTree(text));
        } catch (JsonProcessingException ex) {
            o.put(key, text);
        }
    }

    static ObjectNode error(String message, List<Problem> problems) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message);
        ArrayNode list = o.putArray("problems");
        for (Problem p : problems) {
            ObjectNode item = list.addObject();
            item.put("forward", p.forward());
            item.put("field", p.field());
            item.put("message", p.toString());
        }
        return o;
    }
}
