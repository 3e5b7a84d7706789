package dev.portgate.http;

import dev.portgate.net.TargetHealth;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sites that hold one host name: one, or several SSH sessions of one user sharing its load, as sish does. New
 * connections go round the members, skipping one whose last dial failed while another is healthy.
 */
final class SiteGroup {

    private final String shareKey;
    private final List<Site> members = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    SiteGroup(Site first) {
        this.shareKey = first.forward().shareKey();
        members.add(first);
    }

    /** Whether {@code site} may join: a session of the same user. */
    boolean admits(Site site) {
        return shareKey != null && shareKey.equals(site.forward().shareKey());
    }

    void add(Site site) {
        members.add(site);
    }

    /** Removes a member; true if none is left. */
    boolean remove(Site site) {
        members.remove(site);
        return members.isEmpty();
    }

    boolean contains(Site site) {
        return site != null && members.contains(site);
    }

    /** Any member, for what all members share (the name, the TLS mode); null if the group has just emptied. */
    Site first() {
        List<Site> now = List.copyOf(members);
        return now.isEmpty() ? null : now.get(0);
    }

    /** The member for a new connection, or null if the group has just emptied. */
    Site pick() {
        List<Site> now = List.copyOf(members);
        if (now.isEmpty()) {
            return null;
        }
        int start = Math.floorMod(next.getAndIncrement(), now.size());
        for (int i = 0; i < now.size(); i++) {
            Site s = now.get((start + i) % now.size());
            if (s.active().health().snapshot().state() != TargetHealth.State.UNREACHABLE) {
                return s;
            }
        }
        return now.get(start);
    }

    /** The member after {@code failed}, for one more try when a dial fails; null when there is no other. */
    Site after(Site failed) {
        List<Site> now = List.copyOf(members);
        int i = now.indexOf(failed);
        if (now.size() < 2) {
            return null;
        }
        return now.get((i + 1) % now.size());
    }

    int size() {
        return members.size();
    }
}
