package dev.portgate.policy;

import dev.portgate.forward.Cidr;
import java.net.InetAddress;
import java.util.List;

/** Allow and deny lists that hold before every forward's own: deny wins; an empty allow list allows all. */
public record Firewall(List<Cidr> allow, List<Cidr> deny) {

    public static final Firewall OPEN = new Firewall(List.of(), List.of());

    public Firewall {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    /** Why the source is refused, or null if it may go on to the forward's own rules. */
    public String refuses(InetAddress source) {
        for (Cidr c : deny) {
            if (c.contains(source)) {
                return "source " + source.getHostAddress() + " is in the firewall's deny " + c;
            }
        }
        if (!allow.isEmpty() && allow.stream().noneMatch(c -> c.contains(source))) {
            return "source " + source.getHostAddress() + " is not in the firewall's allow " + allow;
        }
        return null;
    }
}
