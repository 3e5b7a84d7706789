package dev.portgate.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.rules.RuleService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** {@code /api/v1/forwards/{name}/traffic?range=hour|day}: one forward's chart and its totals since first seen. */
final class TrafficApi {

    private final RuleService rules;
    private final ForwardTraffic traffic;

    TrafficApi(RuleService rules, ForwardTraffic traffic) {
        this.rules = rules;
        this.traffic = traffic;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/forwards/{name}/traffic", this::traffic);
    }

    private void traffic(Context ctx) {
        String name = ctx.pathParam("name");
        if (rules.get(name).isEmpty()) {
            throw new ApiException(404, "there is no forward named \"" + name + "\"");
        }
        String range = ctx.queryParamAsClass("range", String.class).getOrDefault("hour");
        if (!range.equals("hour") && !range.equals("day")) {
            throw new ApiException(400, "range \"" + range + "\" is not hour or day");
        }
        long now = System.currentTimeMillis() / 1000;
        ObjectNode o = Views.JSON.createObjectNode().put("forward", name).put("range", range);
        var view = traffic.view(name, range.equals("day"), now);
        o.put("total-in", view.map(ForwardTraffic.View::totalIn).orElse(0L));
        o.put("total-out", view.map(ForwardTraffic.View::totalOut).orElse(0L));
        view.ifPresent(v -> o.put("since", v.since().toString()));
        o.put("interval-seconds", range.equals("day") ? ForwardTraffic.DAY_BUCKET : ForwardTraffic.HOUR_BUCKET);
        ArrayNode points = o.putArray("points");
        view.ifPresent(v -> v.series()
                .points()
                .forEach(p -> points.addArray().add(p[0]).add(p[1]).add(p[2])));
        ctx.json(o);
    }
}
