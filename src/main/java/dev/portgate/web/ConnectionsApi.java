package dev.portgate.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.portgate.kernel.KernelPlane;
import dev.portgate.net.Connection;
import dev.portgate.net.SideConnections;
import dev.portgate.rules.ForwardStatus;
import dev.portgate.rules.Reconciler;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** {@code /api/v1/connections}: the live connections and UDP sessions; close one. */
final class ConnectionsApi {

    private final Reconciler reconciler;
    private final SideConnections side;
    private final KernelPlane kernel;

    ConnectionsApi(Reconciler reconciler, SideConnections side, KernelPlane kernel) {
        this.reconciler = reconciler;
        this.side = side;
        this.kernel = kernel;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/connections", this::list);
        r.delete("/api/v1/connections/{id}", this::close);
    }

    private List<Connection> all(String forward) {
        List<Connection> out = new ArrayList<>();
        for (ForwardStatus s : reconciler.status().values()) {
            if (s.active() != null && (forward == null || forward.equals(s.name()))) {
                out.addAll(s.active().connections());
            }
        }
        side.connections().stream()
                .filter(c -> forward == null || forward.equals(c.forward()))
                .forEach(out::add);
        out.sort(Comparator.comparingLong(Connection::id));
        return out;
    }

    private void list(Context ctx) {
        ArrayNode out = Views.JSON.createArrayNode();
        String forward = ctx.queryParam("forward");
        all(forward).forEach(c -> out.add(Views.connection(c)));
        if (kernel != null) {
            kernel.flows().stream()
                    .filter(f -> forward == null || forward.equals(f.forward()))
                    .forEach(f -> out.add(Views.kernelFlow(f)));
        }
        ctx.json(out);
    }

    private void close(Context ctx) {
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new ApiException(400, "connection id \"" + ctx.pathParam("id") + "\" is not a number");
        }
        Optional<Connection> c = all(null).stream().filter(x -> x.id() == id).findFirst();
        if (c.isEmpty()) {
            throw new ApiException(404, "there is no open connection " + id);
        }
        c.get().close();
        ctx.status(204);
    }
}
