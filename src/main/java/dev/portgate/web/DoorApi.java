package dev.portgate.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.portgate.forward.Addresses;
import dev.portgate.forward.Durations;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Protection;
import dev.portgate.policy.Doors;
import dev.portgate.rules.RuleService;
import dev.portgate.store.AuditLog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.InetAddress;

/**
 * The "Open a door" page's API: the forwards with {@code access: login}, and Open, which lets the
 * caller's own address start connections through one of them for its {@code open-for}.
 */
final class DoorApi {

    private final RuleService rules;
    private final Doors doors;
    private final AuditLog audit;

    DoorApi(RuleService rules, Doors doors, AuditLog audit) {
        this.rules = rules;
        this.doors = doors;
        this.audit = audit;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/door", this::list);
        r.post("/api/v1/door/{name}/open", this::open);
    }

    private void list(Context ctx) {
        InetAddress me = Addresses.unmap(Addresses.literal(ctx.ip()));
        ArrayNode out = Views.JSON.createArrayNode();
        for (Forward f : rules.forwards()) {
            Protection p = f.limits().protection();
            if (p.access() == Protection.Access.LOGIN && f.enabled()) {
                out.addObject()
                        .put("name", f.name())
                        .put("listen", f.listen().toString())
                        .put("description", f.description())
                        .put("open-for", Durations.format(p.openFor()))
                        .put("open", me != null && doors.isOpen(f.name(), me));
            }
        }
        ctx.json(Views.JSON.createObjectNode().put("address", ctx.ip()).set("doors", out));
    }

    private void open(Context ctx) {
        String name = ctx.pathParam("name");
        Forward f = rules.get(name)
                .filter(x -> x.limits().protection().access() == Protection.Access.LOGIN && x.enabled())
                .orElseThrow(() -> new ApiException(404, "there is no door named \"" + name + "\" to open"));
        InetAddress me = Addresses.literal(ctx.ip());
        if (me == null) {
            throw new ApiException(400, "cannot tell your address");
        }
        Caller c = Authenticator.caller(ctx);
        Doors.Open door = doors.open(
                f.name(), Addresses.unmap(me), f.limits().protection().openFor(), "login " + c.name());
        audit.record(
                c.actor(), "door.open", f.name(), "for " + door.source().getHostAddress() + " until " + door.until());
        ctx.json(Views.JSON
                .createObjectNode()
                .put("name", f.name())
                .put("address", door.source().getHostAddress())
                .put("until", door.until().toString()));
    }
}
