package dev.portgate.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.store.NodeRegistry;
import dev.portgate.store.Nodes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** {@code /api/v1/nodes}: the nodes sharing this gateway's store — up or down, last heartbeat, version. */
final class NodesApi {

    private final Nodes nodes;

    NodesApi(Nodes nodes) {
        this.nodes = nodes;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/nodes", this::list);
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
}
