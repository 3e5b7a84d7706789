package dev.portgate.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.config.ForwardJson;
import dev.portgate.config.Problems;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.forward.PortForward;
import dev.portgate.igd.Upstream;
import dev.portgate.igd.UpstreamMapping;
import dev.portgate.net.TargetHealth;
import dev.portgate.net.TargetProbe;
import dev.portgate.rules.ChangeResult;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import dev.portgate.store.Database;
import dev.portgate.store.NodeRegistry;
import dev.portgate.store.Nodes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** {@code /api/v1/forwards}: list, show, add, replace, edit, enable, disable, delete. */
final class ForwardsApi {

    /** Keys the API returns but does not take: a GET's output can be sent back as it is. */
    private static final Set<String> READ_ONLY = Set.of(
            "origin",
            "origin-detail",
            "state",
            "error",
            "stats",
            "plane",
            "plane-reason",
            "warning",
            "risks",
            "target-health",
            "share");

    private final RuleService rules;
    private final Nodes nodes;
    private final Reconciler reconciler;
    private final Risks risks;
    private final TargetProbe probe;
    private final Reachability reach;

    ForwardsApi(
            RuleService rules, Reconciler reconciler, Risks risks, TargetProbe probe, Reachability reach, Nodes nodes) {
        this.nodes = nodes;
        this.rules = rules;
        this.reconciler = reconciler;
        this.risks = risks;
        this.probe = probe;
        this.reach = reach;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/forwards", this::list);
        r.post("/api/v1/forwards", this::create);
        r.get("/api/v1/forwards/{name}", ctx -> ctx.json(view(find(ctx))));
        r.put("/api/v1/forwards/{name}", ctx -> replace(ctx, false));
        r.patch("/api/v1/forwards/{name}", ctx -> replace(ctx, true));
        r.delete("/api/v1/forwards/{name}", this::delete);
        r.post("/api/v1/forwards/{name}/enable", ctx -> enable(ctx, true));
        r.post("/api/v1/forwards/{name}/disable", ctx -> enable(ctx, false));
        r.post("/api/v1/forwards/{name}/test", this::test);
    }

    private void list(Context ctx) {
        ArrayNode out = Views.JSON.createArrayNode();
        Reachability.Snapshot seen = reach.snapshot();
        Map<String, List<NodeRegistry.Running>> states = onNodes();
        rules.forwards().forEach(f -> out.add(view(f, seen, states)));
        ctx.json(out);
    }

    /** Every forward's state on every node of a cluster; none alone, or while the store is away. */
    private Map<String, List<NodeRegistry.Running>> onNodes() {
        try {
            return nodes.forwardStates();
        } catch (Database.StoreException e) {
            return Map.of();
        }
    }

    private ObjectNode view(Forward f) {
        return view(f, reach.snapshot(), onNodes());
    }

    private ObjectNode view(Forward f, Reachability.Snapshot seen, Map<String, List<NodeRegistry.Running>> states) {
        ObjectNode o = Views.forward(f, reconciler.status(f.name()));
        List<NodeRegistry.Running> here = states.get(f.name());
        if (here != null) {
            ArrayNode on = o.putArray("on-nodes");
            for (NodeRegistry.Running r : here) {
                ObjectNode n = on.addObject()
                        .put("node", r.node())
                        .put("state", r.state())
                        .put("up", r.up());
                if (!r.error().isEmpty()) {
                    n.put("error", r.error());
                }
            }
        }
        o.put("share", reach.share(f, seen));
        // The same warnings the Security page shows, so the form can offer their fixes at save time.
        o.set("risks", Risks.json(risks.of(f)));
        return o;
    }

    private Forward find(Context ctx) {
        String name = ctx.pathParam("name");
        return rules.get(name).orElseThrow(() -> new ApiException(404, "there is no forward named \"" + name + "\""));
    }

    private void create(Context ctx) {
        Forward f = decode(Bodies.json(ctx), Authenticator.caller(ctx));
        settle(rules.create(f, Authenticator.caller(ctx).actor()));
        reconciler.awaitApplied();
        ctx.status(201).json(view(f));
    }

    private void replace(Context ctx, boolean merge) {
        String name = ctx.pathParam("name");
        JsonNode body = Bodies.json(ctx);
        if (merge) {
            ObjectNode merged = ForwardJson.encode(find(ctx));
            body.properties().forEach(e -> merged.set(e.getKey(), e.getValue()));
            body = merged;
        } else if (!body.has("name")) {
            ((ObjectNode) body).put("name", name);
        }
        Forward f = decode(body, Authenticator.caller(ctx));
        settle(rules.update(name, f, Authenticator.caller(ctx).actor()));
        reconciler.awaitApplied();
        ctx.json(view(rules.get(name).orElse(f)));
    }

    private void enable(Context ctx, boolean on) {
        String name = ctx.pathParam("name");
        settle(rules.setEnabled(
                name, on, Origin.Kind.API, Authenticator.caller(ctx).actor()));
        reconciler.awaitApplied();
        ctx.json(view(find(ctx)));
    }

    private void delete(Context ctx) {
        settle(rules.delete(
                ctx.pathParam("name"),
                Origin.Kind.API,
                Authenticator.caller(ctx).actor()));
        reconciler.awaitApplied();
        ctx.status(204);
    }

    /**
     * What can be checked from here, honestly: the listener, the target, the router above. What cannot —
     * whether the port answers from the internet — is said, not guessed.
     */
    private void test(Context ctx) throws Exception {
        Forward f = find(ctx);
        ForwardStatus s = reconciler.status(f.name());
        ArrayNode checks = Views.JSON.createArrayNode();
        boolean up = s != null && s.state() == ForwardStatus.State.LISTENING;
        check(
                checks,
                "listener",
                up,
                up
                        ? "listening on " + f.listen() + (s.placement().kernel() ? " (in the kernel)" : "")
                        : s == null
                                ? "not started yet"
                                : s.state() == ForwardStatus.State.DISABLED
                                        ? "the forward is off"
                                        : s.state() == ForwardStatus.State.ELSEWHERE
                                                ? "the forward runs on "
                                                        + String.join(
                                                                ", ", f.limits().nodes()) + ", not on this node"
                                                : "not listening: " + s.error());
        if (up && s.active() != null && f instanceof PortForward pf) {
            TargetHealth.Snapshot h = probe.check(s.active()).get(10, TimeUnit.SECONDS);
            String target = pf.target().toString();
            switch (h.state()) {
                case REACHABLE -> check(checks, "target", true, target + " answers");
                case UNREACHABLE -> check(checks, "target", false, target + ": " + h.reason());
                case UNKNOWN -> checks.addObject()
                        .put("what", "target")
                        .put("ok", (String) null)
                        .put(
                                "text",
                                "UDP has no handshake: whether " + target + " answers shows when a client uses it");
            }
        }
        Upstream.Status router = reach.upstream();
        if (router.configured()) {
            Optional<UpstreamMapping> m = router.mappings().stream()
                    .filter(x -> x.forward().equals(f.name()))
                    .findFirst();
            check(
                    checks,
                    "router",
                    m.isPresent() && m.get().error().isEmpty(),
                    m.isEmpty()
                            ? "the router above holds no mapping for it"
                            : "the router above: " + m.get().state()
                                    + (m.get().error().isEmpty()
                                            ? ""
                                            : " — " + m.get().error()));
        }
        ObjectNode o = Views.JSON.createObjectNode();
        o.set("checks", checks);
        o.put("share", reach.share(f, reach.snapshot()));
        o.put(
                "cannot",
                "whether it answers from the internet can only be tested from a machine outside your network —"
                        + " ask a friend, or use a phone off Wi-Fi");
        ctx.json(o);
    }

    private static void check(ArrayNode checks, String what, boolean ok, String text) {
        checks.addObject().put("what", what).put("ok", ok).put("text", text);
    }

    private static Forward decode(JsonNode body, Caller caller) {
        ObjectNode input = ((ObjectNode) body).deepCopy();
        input.remove(READ_ONLY);
        Problems problems = new Problems("");
        Optional<Forward> f = ForwardJson.decode(input, new Origin(Origin.Kind.API, caller.name()), problems);
        if (f.isEmpty()) {
            throw new ApiException(422, "the forward is not valid", problems.list());
        }
        return f.get();
    }

    private static void settle(ChangeResult result) {
        if (result instanceof ChangeResult.Rejected r) {
            int status =
                    switch (r.why()) {
                        case NOT_FOUND -> 404;
                        case NOT_YOURS, EXISTS, CONFLICT -> 409;
                        case INVALID -> 422;
                    };
            throw new ApiException(
                    status,
                    r.problems().isEmpty() ? "refused" : r.problems().get(0).toString(),
                    r.problems());
        }
    }
}
