package dev.portgate.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.config.ForwardJson;
import dev.portgate.config.Problems;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.rules.ChangeResult;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Optional;
import java.util.Set;

/** {@code /api/v1/forwards}: list, show, add, replace, edit, enable, disable, delete. */
final class ForwardsApi {

    /** Keys the API returns but does not take: a GET's output can be sent back as it is. */
    private static final Set<String> READ_ONLY =
            Set.of("origin", "origin-detail", "state", "error", "stats", "plane", "plane-reason", "warning");

    private final RuleService rules;
    private final Reconciler reconciler;

    ForwardsApi(RuleService rules, Reconciler reconciler) {
        this.rules = rules;
        this.reconciler = reconciler;
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
    }

    private void list(Context ctx) {
        ArrayNode out = Views.JSON.createArrayNode();
        rules.forwards().forEach(f -> out.add(view(f)));
        ctx.json(out);
    }

    private ObjectNode view(Forward f) {
        return Views.forward(f, reconciler.status(f.name()));
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
                        case NOT_YOURS, EXISTS -> 409;
                        case INVALID -> 422;
                    };
            throw new ApiException(
                    status,
                    r.problems().isEmpty() ? "refused" : r.problems().get(0).toString(),
                    r.problems());
        }
    }
}
