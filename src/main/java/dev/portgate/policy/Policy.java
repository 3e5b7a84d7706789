package dev.portgate.policy;

import dev.portgate.forward.Cidr;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Limits;
import java.net.InetAddress;

/**
 * Asked once by every listener before it dials a new connection or makes a UDP session, so each
 * rule is written once and holds for every kind of forward. Deny wins over allow; an empty allow
 * list allows every source.
 */
public final class Policy {

    public Verdict admit(Forward forward, InetAddress source, long active) {
        Limits limits = forward.limits();
        for (Cidr c : limits.deny()) {
            if (c.contains(source)) {
                return new Verdict.Refuse(Verdict.Reason.DENIED, "source " + source.getHostAddress() + " is in deny " + c);
            }
        }
        if (!limits.allow().isEmpty() && limits.allow().stream().noneMatch(c -> c.contains(source))) {
            return new Verdict.Refuse(Verdict.Reason.DENIED, "source " + source.getHostAddress() + " is not in allow " + limits.allow());
        }
        if (limits.maxConnections() > 0 && active >= limits.maxConnections()) {
            return new Verdict.Refuse(Verdict.Reason.LIMIT, "max-connections " + limits.maxConnections() + " reached");
        }
        return Verdict.ADMIT;
    }
}
