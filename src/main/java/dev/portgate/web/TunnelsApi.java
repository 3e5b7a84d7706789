package dev.portgate.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.tunnel.TunnelClientView;
import dev.portgate.tunnel.TunnelEndpoint;
import dev.portgate.tunnel.TunnelEndpoints;
import dev.portgate.tunnel.TunnelServerRunner;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code /api/v1/tunnels}: the tunnel server (its port, certificate fingerprint and connected clients) and the
 * tunnel endpoints this gateway is a client of (state, round-trip time, bytes, forwards).
 */
final class TunnelsApi {

    /** The parts it reads. */
    record Sources(TunnelServerRunner server, TunnelEndpoints endpoints) {}

    private final Sources sources;

    TunnelsApi(Sources sources) {
        this.sources = sources;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/tunnels", this::show);
    }

    private void show(Context ctx) {
        ObjectNode o = Views.JSON.createObjectNode();
        ObjectNode server = o.putObject("server");
        int port = sources.server().port();
        server.put("running", port > 0);
        if (port > 0) {
            server.put("port", port);
            server.put("fingerprint", "sha256:" + sources.server().fingerprint());
        }
        ArrayNode clients = server.putArray("clients");
        for (TunnelClientView c : sources.server().clients()) {
            clients.addObject()
                    .put("name", c.name())
                    .put("address", c.address())
                    .put("transport", c.transport())
                    .put("since", c.since().toString())
                    .put("rtt-ms", c.rttMicros() < 0 ? null : c.rttMicros() / 1000.0)
                    .put("bytes-sent", c.sentBytes())
                    .put("bytes-received", c.receivedBytes())
                    .put("session", c.session());
        }
        ArrayNode endpoints = o.putArray("endpoints");
        for (TunnelEndpoint.Status s : sources.endpoints().status()) {
            ObjectNode e = endpoints
                    .addObject()
                    .put("name", s.name())
                    .put("server", s.server())
                    .put("transport", s.transport())
                    .put("state", s.state())
                    .put("rtt-ms", s.rttMicros() < 0 ? null : s.rttMicros() / 1000.0)
                    .put("bytes-sent", s.sentBytes())
                    .put("bytes-received", s.receivedBytes())
                    .put("retry-at", s.retryAt() == null ? null : s.retryAt().toString())
                    .put("last-error", s.lastError());
            ArrayNode forwards = e.putArray("forwards");
            s.forwards().forEach(forwards::add);
        }
        ctx.json(o);
    }
}
