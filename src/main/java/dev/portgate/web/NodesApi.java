package dev.portgate.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.store.NodeRegistry;
import dev.portgate.store.Nodes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code /api/v1/nodes}: the nodes sharing this gateway's store — up or down, last heartbeat, version; {@code DELETE
 * /api/v1/nodes/{name}} forgets one that is gone for good.
 */
final class NodesApi {

    private final Nodes nodes;

    NodesApi(Nodes nodes) {
        this.nodes = nodes;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/nodes", this::list);
        r.delete("/api/v1/nodes/{name}", this::forget);
    }

    private void list(Context ctx) {
        ArrayNode out = Views.JSON.createArrayNode();
        for (NodeRegistry.Node n : nodes.list()) {
            ObjectNode o = out.addObject();
            o.put("name", n.name());
            o.put("self", n.self());
            o.put("up", n.up());
            o.put("address", n.address());
            o.put("version", n.version());
            o.put("started", n.started().toString());
            o.put("heartbeat", n.heartbeat().toString());
            o.put("link", nodes.link(n.name()));
            if (n.self()) {
                o.put("leader", nodes.leader());
            }
        }
        ctx.json(out);
    }

    private void forget(Context ctx) {
        String name = ctx.pathParam("name");
        Nodes.Forgetting done;
        try {
            done = nodes.forget(name, Authenticator.caller(ctx).actor());
        } catch (Nodes.CannotForget e) {
            throw new ApiException(e.unknown() ? 404 : 409, e.getMessage());
        }
        ObjectNode o = Views.JSON.createObjectNode().put("node", done.node());
        done.removed().forEach(o.putArray("removed")::add);
        done.handedOver().forEach(o.putArray("handed-over")::add);
        done.kept().forEach(o.putArray("kept")::add);
        ctx.json(o);
    }
}
