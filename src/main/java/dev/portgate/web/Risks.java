package dev.portgate.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.forward.Cidr;
import dev.portgate.forward.Forward;
import dev.portgate.net.AttachedNetworks;
import dev.portgate.policy.Exposure;
import dev.portgate.policy.Policy;
import java.util.List;

/** A forward's exposure as the API shows it: each warning with its fixes, ready to send back as a PATCH. */
final class Risks {

    private static final long LAN_REFRESH_NANOS = 30_000_000_000L;

    private final Policy policy;
    private List<Cidr> lan;
    private long lanRead;

    Risks(Policy policy) {
        this.policy = policy;
    }

    Exposure of(Forward f) {
        return Exposure.of(f, policy.firewall(), lan());
    }

    /** The interfaces are read at most every 30 s: the console asks for every forward every 2 s. */
    private synchronized List<Cidr> lan() {
        long now = System.nanoTime();
        if (lan == null || now - lanRead > LAN_REFRESH_NANOS) {
            lan = AttachedNetworks.lan();
            lanRead = now;
        }
        return lan;
    }

    static ArrayNode json(Exposure e) {
        ArrayNode out = Views.JSON.createArrayNode();
        for (Exposure.Warning w : e.warnings()) {
            ObjectNode o = out.addObject().put("code", w.code()).put("text", w.text());
            ArrayNode fixes = o.putArray("fixes");
            for (Exposure.Fix fix : w.fixes()) {
                fixes.addObject()
                        .put("id", fix.id())
                        .put("label", fix.label())
                        .set("patch", Views.JSON.valueToTree(fix.patch()));
            }
        }
        return out;
    }
}
