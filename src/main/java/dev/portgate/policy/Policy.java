package dev.portgate.policy;

import dev.portgate.forward.Cidr;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.Protection;
import java.net.InetAddress;

/**
 * Asked once by every listener before it dials a new connection or makes a UDP session, so each
 * rule is written once and holds for every kind of forward. In order: the global firewall, bans,
 * the forward's deny and allow lists (deny wins; an empty allow list allows every source), its door
 * (knock/login), its rate limit, its connection cap.
 */
public final class Policy {

    private volatile Firewall firewall = Firewall.OPEN;
    private final Bans bans;
    private final Doors doors;
    private final RateLimits rates = new RateLimits();

    public Policy(Bans bans, Doors doors) {
        this.bans = bans;
        this.doors = doors;
    }

    public void firewall(Firewall next) {
        firewall = next;
    }

    public Firewall firewall() {
        return firewall;
    }

    public Bans bans() {
        return bans;
    }

    public Doors doors() {
        return doors;
    }

    public Verdict admit(Forward forward, InetAddress source, long active) {
        return admit(forward, source, active, true);
    }

    /**
     * A request to a site on the shared http/https ports: everything {@link #admit} checks but the door, which a
     * site keeps itself (its login wall knows the visitor by a cookie, not by the address).
     */
    public Verdict admitRequest(Forward forward, InetAddress source, long active) {
        return admit(forward, source, active, false);
    }

    private Verdict admit(Forward forward, InetAddress source, long active, boolean door) {
        String refused = firewall.refuses(source);
        if (refused != null) {
            return new Verdict.Refuse(Verdict.Reason.DENIED, refused);
        }
        if (bans.isBanned(source)) {
            return new Verdict.Refuse(Verdict.Reason.BANNED, "source " + source.getHostAddress() + " is banned");
        }
        Limits limits = forward.limits();
        for (Cidr c : limits.deny()) {
            if (c.contains(source)) {
                return new Verdict.Refuse(
                        Verdict.Reason.DENIED, "source " + source.getHostAddress() + " is in deny " + c);
            }
        }
        if (!limits.allow().isEmpty() && limits.allow().stream().noneMatch(c -> c.contains(source))) {
            return new Verdict.Refuse(
                    Verdict.Reason.DENIED, "source " + source.getHostAddress() + " is not in allow " + limits.allow());
        }
        Protection p = limits.protection();
        if (door && p.access().gated() && !doors.isOpen(forward.name(), source)) {
            return new Verdict.Refuse(
                    Verdict.Reason.CLOSED,
                    "the door is closed to " + source.getHostAddress() + " (access: "
                            + p.access().label() + ")");
        }
        if (p.rateLimit() != null && !rates.tryAcquire(forward.name(), source, p.rateLimit())) {
            return new Verdict.Refuse(
                    Verdict.Reason.RATE, "source " + source.getHostAddress() + " is above rate-limit " + p.rateLimit());
        }
        if (limits.maxConnections() > 0 && active >= limits.maxConnections()) {
            return new Verdict.Refuse(Verdict.Reason.LIMIT, "max-connections " + limits.maxConnections() + " reached");
        }
        return Verdict.ADMIT;
    }
}
