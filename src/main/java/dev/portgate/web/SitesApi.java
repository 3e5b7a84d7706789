package dev.portgate.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.forward.Forward;
import dev.portgate.forward.HttpForward;
import dev.portgate.http.CertificateStatus;
import dev.portgate.http.HttpRouting;
import dev.portgate.net.ForwardStats;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code /api/v1/sites}: every site on the shared http/https ports — its name, where it leads, its protection, its
 * certificate (source, state, expiry, the CA's last refusal) and its traffic.
 */
final class SitesApi {

    private final RuleService rules;
    private final Reconciler reconciler;
    private final HttpRouting routing;

    SitesApi(RuleService rules, Reconciler reconciler, HttpRouting routing) {
        this.rules = rules;
        this.reconciler = reconciler;
        this.routing = routing;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/sites", this::list);
    }

    private void list(Context ctx) {
        Map<String, CertificateStatus> certs = routing.certificates().stream()
                .collect(Collectors.toMap(CertificateStatus::host, Function.identity(), (a, b) -> a));
        ObjectNode o = Views.JSON.createObjectNode().put("running", routing.running());
        ArrayNode sites = o.putArray("sites");
        for (Forward f : rules.forwards()) {
            if (!(f instanceof HttpForward h)) {
                continue;
            }
            ObjectNode s = sites.addObject()
                    .put("name", h.name())
                    .put("host", h.host().toString())
                    .put(
                            "url",
                            h.host().wildcard() ? null : routing.url(h.host().name()))
                    .put("tls", h.tls().label())
                    .put("access", h.limits().protection().access().label())
                    .put(
                            "target",
                            h.session() == null
                                    ? h.target().toString()
                                    : h.origin().kind().label() + " session of "
                                            + h.origin().owner())
                    .put("origin", h.origin().kind().label())
                    .put("enabled", h.enabled());
            ForwardStatus status = reconciler.status(h.name());
            s.put("state", status == null ? "stopped" : status.state().name().toLowerCase(Locale.ROOT));
            if (status != null && status.active() != null) {
                ForwardStats.Snapshot t = status.active().stats().snapshot();
                s.put("connections", t.connectionsActive())
                        .put("bytes-in", t.bytesIn())
                        .put("bytes-out", t.bytesOut());
            }
            CertificateStatus c = certs.get(h.host().toString());
            if (c != null) {
                s.putObject("certificate")
                        .put("source", c.source())
                        .put("state", c.state())
                        .put(
                                "not-after",
                                c.notAfter() == null ? null : c.notAfter().toString())
                        .put("error", c.error())
                        .put(
                                "next-attempt",
                                c.nextAttempt() == null ? null : c.nextAttempt().toString());
            }
        }
        ctx.json(o);
    }
}
