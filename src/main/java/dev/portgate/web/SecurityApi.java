package dev.portgate.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.forward.Addresses;
import dev.portgate.forward.Durations;
import dev.portgate.forward.Forward;
import dev.portgate.policy.Bans;
import dev.portgate.policy.Doors;
import dev.portgate.policy.Exposure;
import dev.portgate.policy.Policy;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import dev.portgate.store.AuditLog;
import dev.portgate.trigger.TriggerConfig;
import dev.portgate.trigger.Triggers;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.util.Locale;

/** {@code /api/v1/security} (how exposed each door is), {@code /api/v1/bans} and {@code /api/v1/doors}. */
final class SecurityApi {

    private final RuleService rules;
    private final Reconciler reconciler;
    private final Policy policy;
    private final AuditLog audit;
    private final Triggers triggers;
    private final Risks risks;

    SecurityApi(
            RuleService rules, Reconciler reconciler, Policy policy, AuditLog audit, Triggers triggers, Risks risks) {
        this.risks = risks;
        this.triggers = triggers;
        this.rules = rules;
        this.reconciler = reconciler;
        this.policy = policy;
        this.audit = audit;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/security", this::report);
        r.get("/api/v1/bans", this::bans);
        r.delete("/api/v1/bans/{address}", this::unban);
        r.get("/api/v1/doors", this::doors);
        r.get("/api/v1/triggers", this::triggers);
    }

    private void report(Context ctx) {
        ObjectNode o = Views.JSON.createObjectNode();
        ObjectNode fw = o.putObject("firewall");
        fw.putPOJO(
                "allow",
                policy.firewall().allow().stream().map(Object::toString).toList());
        fw.putPOJO(
                "deny", policy.firewall().deny().stream().map(Object::toString).toList());
        Bans.Settings b = policy.bans().settings();
        fw.put(
                "ban",
                "after " + b.after() + " failures within " + Durations.format(b.window()) + ", for "
                        + Durations.format(b.duration()));
        ArrayNode list = o.putArray("forwards");
        int warnings = 0;
        for (Forward f : rules.forwards()) {
            Exposure e = risks.of(f);
            ForwardStatus s = reconciler.status(f.name());
            ObjectNode x = list.addObject();
            x.put("forward", e.forward());
            x.put("kind", f.kind());
            x.put("listen", e.listen());
            x.put("state", s == null ? "pending" : s.state().name().toLowerCase(Locale.ROOT));
            x.put("reach", e.reach());
            x.put("access", e.access());
            x.put("guarded", e.guarded());
            x.put("service", e.service());
            x.set("warnings", Risks.json(e));
            warnings += e.warnings().size();
        }
        o.put("warnings", warnings);
        ctx.json(o);
    }

    private void bans(Context ctx) {
        ArrayNode out = Views.JSON.createArrayNode();
        for (Bans.Ban ban : policy.bans().list()) {
            out.addObject()
                    .put("address", ban.source().getHostAddress())
                    .put("until", ban.until().toString())
                    .put("reason", ban.reason());
        }
        ctx.json(out);
    }

    private void unban(Context ctx) {
        String text = ctx.pathParam("address");
        InetAddress a = Addresses.literal(text);
        if (a == null) {
            throw new ApiException(400, "\"" + text + "\" is not an IP address");
        }
        if (!policy.bans().unban(Addresses.unmap(a))) {
            throw new ApiException(404, a.getHostAddress() + " is not banned");
        }
        audit.record(Authenticator.caller(ctx).actor(), "unban", a.getHostAddress(), "");
        ctx.status(204);
    }

    private void triggers(Context ctx) {
        ArrayNode out = Views.JSON.createArrayNode();
        for (TriggerConfig t : triggers.triggers()) {
            var o = out.addObject()
                    .put("name", t.name())
                    .put("trigger", t.trigger().toString())
                    .put("open-for", Durations.format(t.openFor()));
            o.putPOJO("open", t.open().stream().map(Object::toString).toList());
            triggers.held(t.name()).ifPresent(h -> o.put("held-by", h.device().getHostAddress())
                    .put("until", h.until().toString()));
        }
        ctx.json(out);
    }

    private void doors(Context ctx) {
        ArrayNode out = Views.JSON.createArrayNode();
        for (Doors.Open d : policy.doors().list()) {
            out.addObject()
                    .put("forward", d.forward())
                    .put("address", d.source().getHostAddress())
                    .put("until", d.until().toString())
                    .put("by", d.by());
        }
        ctx.json(out);
    }
}
