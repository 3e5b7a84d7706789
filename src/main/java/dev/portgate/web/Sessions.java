package dev.portgate.web;

import dev.portgate.policy.PasswordHash;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Console sessions, in memory: a restart logs everyone out, which is the safe way round. Each has
 * its own CSRF token; sessions end after an hour without use or twelve hours in all.
 */
final class Sessions {

    static final Duration IDLE = Duration.ofHours(1);
    static final Duration ABSOLUTE = Duration.ofHours(12);

    record Session(String id, String user, String csrf, Instant created, Instant lastSeen) {
        Session touched() {
            return new Session(id, user, csrf, created, Instant.now());
        }

        boolean expired(Instant now) {
            return lastSeen.plus(IDLE).isBefore(now) || created.plus(ABSOLUTE).isBefore(now);
        }
    }

    private final Map<String, Session> byId = new ConcurrentHashMap<>();

    Session create(String user) {
        Instant now = Instant.now();
        Session s = new Session(PasswordHash.randomSecret(32), user, PasswordHash.randomSecret(24), now, now);
        byId.put(s.id(), s);
        return s;
    }

    Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = byId.get(id);
        Instant now = Instant.now();
        if (s == null || s.expired(now)) {
            if (s != null) {
                byId.remove(id);
            }
            return Optional.empty();
        }
        Session t = s.touched();
        byId.put(id, t);
        return Optional.of(t);
    }

    void end(String id) {
        if (id != null) {
            byId.remove(id);
        }
    }

    /** Ends every session of a user (after a password change), but the one given. */
    void endAllOf(String user, String keep) {
        byId.values().removeIf(s -> s.user().equals(user) && !s.id().equals(keep));
    }
}
