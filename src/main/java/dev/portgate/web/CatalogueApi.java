package dev.portgate.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.forward.Presets;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** {@code /api/v1/presets} (games and services with their ports) and {@code /api/v1/devices} (the LAN's devices). */
final class CatalogueApi {

    private final Devices devices;

    CatalogueApi(Devices devices) {
        this.devices = devices;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/presets", this::presets);
        r.get("/api/v1/devices", this::devices);
    }

    private void presets(Context ctx) {
        ArrayNode out = Views.JSON.createArrayNode();
        for (Presets.Preset p : Presets.all()) {
            ObjectNode o =
                    out.addObject().put("id", p.id()).put("name", p.name()).put("category", p.category());
            ArrayNode ports = o.putArray("ports");
            p.ports()
                    .forEach(
                            x -> ports.addObject().put("protocol", x.protocol()).put("ports", x.ports()));
            if (p.risk() != null) {
                o.put("risk", p.risk());
            }
            if (p.note() != null) {
                o.put("note", p.note());
            }
            o.put("source", p.source());
        }
        ctx.json(out);
    }

    private void devices(Context ctx) {
        ArrayNode out = Views.JSON.createArrayNode();
        for (Devices.Device d : devices.list()) {
            ObjectNode o = out.addObject()
                    .put("address", d.address())
                    .put("name", d.name())
                    .put("mac", d.mac());
            d.seen().forEach(o.putArray("seen")::add);
        }
        ctx.json(out);
    }
}
