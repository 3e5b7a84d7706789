package dev.portgate.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.forward.Problem;
import dev.portgate.igd.IgdService;
import dev.portgate.igd.Lease;
import dev.portgate.igd.Upstream;
import dev.portgate.igd.UpstreamMapping;
import dev.portgate.net.ForwardStats;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.Reconciler;
import dev.portgate.store.AuditLog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /api/v1/leases} (what devices opened with UPnP, NAT-PMP and PCP), {@code /api/v1/igd}
 * (the services and their switches) and {@code /api/v1/upstream} (ports opened on the router above).
 */
final class IgdApi {

    private static final List<String> PROTOCOLS = List.of("upnp", "nat-pmp", "pcp");

    private final IgdService igd;
    private final Upstream upstream;
    private final Reconciler reconciler;
    private final AuditLog audit;

    IgdApi(IgdService igd, Upstream upstream, Reconciler reconciler, AuditLog audit) {
        this.igd = igd;
        this.upstream = upstream;
        this.reconciler = reconciler;
        this.audit = audit;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/leases", this::leases);
        r.delete("/api/v1/leases/{name}", this::deleteLease);
        r.get("/api/v1/igd", this::status);
        r.put("/api/v1/igd/protocols/{protocol}", this::setProtocol);
        r.get("/api/v1/upstream", this::upstream);
        r.post("/api/v1/upstream/map", ctx -> changeUpstream(ctx, true));
        r.post("/api/v1/upstream/unmap", ctx -> changeUpstream(ctx, false));
    }

    private void leases(Context ctx) {
        Instant now = igd.clock().instant();
        ArrayNode out = Views.JSON.createArrayNode();
        for (Lease l : igd.leases().list()) {
            ObjectNode o = out.addObject();
            o.put("name", l.name());
            o.put("protocol", l.protocol().name().toLowerCase(Locale.ROOT));
            o.put("external-port", l.externalPort());
            o.put("device", l.device().getHostAddress());
            o.put("internal-port", l.internalPort());
            o.put("description", l.description());
            o.put("via", l.via().label());
            o.put("enabled", l.enabled());
            o.put("remote-host", l.remoteHostText());
            if (l.expires() != null) {
                o.put("expires", l.expires().toString());
                o.put("remaining-seconds", l.secondsLeft(now));
            }
            ForwardStatus s = reconciler.status(l.name());
            o.put("state", s == null ? "pending" : s.state().name().toLowerCase(Locale.ROOT));
            if (s != null && s.active() != null) {
                ForwardStats.Snapshot snap = s.active().stats().snapshot();
                o.put("connections", s.active().activeCount());
                o.put("bytes-in", snap.bytesIn());
                o.put("bytes-out", snap.bytesOut());
            }
        }
        ctx.json(out);
    }

    private void deleteLease(Context ctx) {
        String name = ctx.pathParam("name");
        boolean removed = igd.call(
                () -> igd.leases().remove(name, Authenticator.caller(ctx).actor()));
        if (!removed) {
            throw new ApiException(404, "there is no lease named \"" + name + "\"");
        }
        ctx.status(204);
    }

    private void status(Context ctx) {
        ObjectNode o = Views.JSON.createObjectNode();
        o.put("running", igd.running());
        var external = igd.externalAddress();
        o.put("external-address", external == null ? "" : external.getHostAddress());
        o.put("description-url", igd.descriptionUrl().orElse(""));
        o.put("leases", igd.leases().list().size());
        var c = igd.config();
        if (c != null) {
            o.putPOJO("lan", c.lan().stream().map(a -> a.getHostAddress()).toList());
            o.put("listen", c.listen().getHostAddress());
            o.put("secure-mode", c.secureMode());
        }
        ObjectNode protocols = o.putObject("protocols");
        boolean upnp = c != null && c.upnp();
        boolean natPmp = c != null && c.natPmp();
        boolean pcp = c != null && c.pcp();
        protocols.putObject("upnp").put("configured", upnp).put("on", upnp && igd.upnpOn());
        protocols.putObject("nat-pmp").put("configured", natPmp).put("on", natPmp && igd.natPmpOn());
        protocols.putObject("pcp").put("configured", pcp).put("on", pcp && igd.pcpOn());
        ObjectNode counters = o.putObject("counters");
        for (Map.Entry<String, Long> e : igd.stats().snapshot().entrySet()) {
            counters.put(e.getKey(), e.getValue());
        }
        ctx.json(o);
    }

    private void setProtocol(Context ctx) {
        String protocol = ctx.pathParam("protocol");
        if (!PROTOCOLS.contains(protocol)) {
            throw new ApiException(404, "no protocol \"" + protocol + "\" — use upnp, nat-pmp or pcp");
        }
        if (!igd.running()) {
            throw new ApiException(409, "there is no igd section in the config, so no protocol runs to switch");
        }
        JsonNode body = Bodies.json(ctx);
        JsonNode on = body.get("enabled");
        if (on == null || !on.isBoolean()) {
            throw new ApiException(
                    400,
                    "enabled: give true or false",
                    List.of(new Problem("", "", "enabled", "enabled must be true or false")));
        }
        igd.setEnabled(protocol, on.booleanValue());
        audit.record(Authenticator.caller(ctx).actor(), on.booleanValue() ? "igd.enable" : "igd.disable", protocol, "");
        status(ctx);
    }

    private void upstream(Context ctx) {
        Upstream.Status s = upstream.status();
        ObjectNode o = Views.JSON.createObjectNode();
        o.put("configured", s.configured());
        o.put("method", s.method());
        o.put("router", s.router());
        o.put("external-address", s.externalAddress());
        o.put("error", s.error());
        ArrayNode list = o.putArray("mappings");
        Instant now = Instant.now();
        for (UpstreamMapping m : s.mappings()) {
            ObjectNode e = list.addObject();
            e.put("forward", m.forward());
            e.put("protocol", m.protocol().name().toLowerCase(Locale.ROOT));
            e.put("internal-port", m.internalPort());
            e.put("external-port", m.externalPort());
            e.put("state", m.state());
            e.put("error", m.error());
            if (m.expires() != null) {
                e.put(
                        "remaining-seconds",
                        Math.max(0, Duration.between(now, m.expires()).toSeconds()));
            }
        }
        ctx.json(o);
    }

    private void changeUpstream(Context ctx, boolean map) {
        String what = Bodies.text(Bodies.json(ctx), "forward");
        try {
            if (map) {
                upstream.map(what);
            } else {
                upstream.unmap(what);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ApiException(
                    e instanceof IllegalStateException ? 409 : 400,
                    e.getMessage(),
                    List.of(new Problem("", "", "forward", e.getMessage())));
        }
        audit.record(Authenticator.caller(ctx).actor(), map ? "upstream.map" : "upstream.unmap", what, "");
        upstream(ctx);
    }
}
