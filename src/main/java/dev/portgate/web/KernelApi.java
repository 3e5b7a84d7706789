package dev.portgate.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.kernel.KernelPlane;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** {@code /api/v1/kernel}: whether the kernel data plane is on and why, and the table portgate manages. */
final class KernelApi {

    private final KernelPlane kernel;

    KernelApi(KernelPlane kernel) {
        this.kernel = kernel;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/kernel", this::show);
    }

    private void show(Context ctx) {
        ObjectNode o = Views.JSON.createObjectNode();
        boolean on = kernel != null && kernel.available();
        o.put("on", on);
        if (!on) {
            o.put("reason", kernel == null ? "not built" : kernel.unavailableReason());
        }
        if (kernel != null) {
            o.put("table", kernel.settings().table());
            o.put("masquerade", kernel.settings().masquerade().label());
            o.put("reflection", kernel.settings().reflection());
            o.put("keep-on-stop", kernel.settings().keepOnStop());
            o.put("writes", kernel.writes().count());
            o.put("write-ms-average", kernel.writes().averageMillis());
            o.put("write-ms-max", kernel.writes().maxMillis());
            if (!"false".equals(ctx.queryParam("listing"))) {
                o.put("listing", kernel.show());
            }
        }
        ctx.json(o);
    }
}
