package dev.portgate.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.config.ConfigReloader;
import dev.portgate.net.ForwardStats;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import dev.portgate.ssh.SshEndpoint;
import dev.portgate.ssh.SshEndpoints;
import dev.portgate.store.AuditEntry;
import dev.portgate.store.AuditLog;
import dev.portgate.store.Nodes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** {@code /api/v1/stats}, {@code /api/v1/audit} and the unauthenticated {@code /api/v1/health}. */
final class StatusApi {

    private final Nodes nodes;
    private final RuleService rules;
    private final Reconciler reconciler;
    private final TrafficHistory history;
    private final AuditLog audit;
    private final Instant started = Instant.now();

    private final SshEndpoints endpoints;
    private final ConfigReloader reloader;
    private final Reachability reach;

    StatusApi(
            RuleService rules,
            Reconciler reconciler,
            TrafficHistory history,
            AuditLog audit,
            SshEndpoints endpoints,
            ConfigReloader reloader,
            Reachability reach,
            Nodes nodes) {
        this.nodes = nodes;
        this.reloader = reloader;
        this.reach = reach;
        this.endpoints = endpoints;
        this.rules = rules;
        this.reconciler = reconciler;
        this.history = history;
        this.audit = audit;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/health", ctx -> ctx.json(Views.JSON.createObjectNode().put("status", "ok")));
        r.get("/api/v1/stats", this::stats);
        r.get("/api/v1/audit", this::audit);
        r.get("/api/v1/ssh-endpoints", this::endpoints);
    }

    private void endpoints(Context ctx) {
        ArrayNode out = Views.JSON.createArrayNode();
        for (SshEndpoint.Status s : endpoints.status()) {
            ObjectNode o = out.addObject();
            o.put("name", s.name());
            o.put("target", s.target());
            o.put("state", s.state());
            if (s.retryAt() != null) {
                o.put(
                        "retry-in-seconds",
                        Math.max(0, Duration.between(Instant.now(), s.retryAt()).toSeconds()));
            }
            if (s.lastError() != null) {
                o.put("last-error", s.lastError());
                o.put("failure", s.failure());
            }
        }
        ctx.json(out);
    }

    private void stats(Context ctx) {
        ObjectNode o = Views.JSON.createObjectNode();
        int listening = 0;
        int failed = 0;
        int disabled = 0;
        int elsewhere = 0;
        long in = 0;
        long out = 0;
        long active = 0;
        long refused = 0;
        for (ForwardStatus s : reconciler.status().values()) {
            switch (s.state()) {
                case LISTENING -> listening++;
                case FAILED -> failed++;
                case DISABLED -> disabled++;
                case ELSEWHERE -> elsewhere++;
            }
            if (s.active() != null) {
                ForwardStats.Snapshot snap = s.active().stats().snapshot();
                in += snap.bytesIn();
                out += snap.bytesOut();
                refused += snap.refused();
                active += s.active().activeCount();
            }
        }
        o.put("forwards", rules.forwards().size());
        o.put("listening", listening);
        o.put("failed", failed);
        o.put("disabled", disabled);
        o.put("elsewhere", elsewhere);
        ObjectNode store = o.putObject("store");
        store.put("shared", nodes.shared());
        store.put("node", nodes.self());
        store.put("problem", nodes.problem());
        o.put("connections-active", active);
        o.put("bytes-in", in);
        o.put("bytes-out", out);
        o.put("refused", refused);
        o.put("uptime-seconds", Duration.between(started, Instant.now()).toSeconds());
        reach.where()
                .ifPresent(
                        w -> o.putObject("outside").put("address", w.address()).put("source", w.source()));
        reloader.refusal().ifPresent(r -> {
            // A live edit that did not take: shown until a good file is loaded.
            ObjectNode c = o.putObject("config-refused");
            c.put("file", r.file().toString());
            c.put("at", r.at().toString());
            ArrayNode problems = c.putArray("problems");
            r.problems().forEach(p -> problems.add(p.toString()));
        });
        List<TrafficHistory.Point> points = history.points();
        TrafficHistory.Point last = points.isEmpty() ? null : points.get(points.size() - 1);
        o.put("rate-in", last == null ? 0 : last.inPerSecond());
        o.put("rate-out", last == null ? 0 : last.outPerSecond());
        o.put("history-interval-seconds", TrafficHistory.INTERVAL_SECONDS);
        ArrayNode h = o.putArray("history");
        for (TrafficHistory.Point p : points) {
            h.addArray()
                    .add(p.epochSecond())
                    .add(Math.round(p.inPerSecond()))
                    .add(Math.round(p.outPerSecond()))
                    .add(p.connections());
        }
        ctx.json(o);
    }

    private void audit(Context ctx) {
        int limit = intParam(ctx, "limit", 100, 1, 1000);
        long before = intParam(ctx, "before", 0, 0, Integer.MAX_VALUE);
        ArrayNode out = Views.JSON.createArrayNode();
        for (AuditEntry e : audit.list(limit, before)) {
            out.add(Views.audit(e));
        }
        ctx.json(out);
    }

    static int intParam(Context ctx, String name, int dflt, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new ApiException(400, name + " must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ApiException(400, name + " \"" + v + "\" is not a whole number");
        }
    }
}
