package dev.portgate.http;

import dev.portgate.forward.HostName;
import dev.portgate.policy.LoginThrottle;
import dev.portgate.policy.PasswordHash;
import dev.portgate.rules.Actor;
import dev.portgate.store.Accounts;
import dev.portgate.store.AuditLog;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The login wall in front of {@code access: login} sites: a visitor signs in once with a console user's name and
 * password (a door user, or an admin) and gets a session cookie good for that one host. Passwords are checked on the
 * auth workers, never on an event loop; failures count towards the source's lock-out and ban, as every login does.
 */
final class SiteLogins {

    static final String COOKIE = "portgate_site";
    static final Duration LIFETIME = Duration.ofHours(12);
    private static final int MAX_SESSIONS = 100_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Visit(String user, HostName host, Instant until) {}

    /** The outcome of a sign-in: a cookie value, or why not. */
    sealed interface Outcome {}

    record SignedIn(String token, String user) implements Outcome {}

    record Refused(String reason) implements Outcome {}

    private final Map<String, Visit> visits = new ConcurrentHashMap<>();
    private final Accounts accounts;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final Executor workers;
    private final Clock clock;

    SiteLogins(Accounts accounts, LoginThrottle throttle, AuditLog audit, Executor workers, Clock clock) {
        this.accounts = accounts;
        this.throttle = throttle;
        this.audit = audit;
        this.workers = workers;
        this.clock = clock;
    }

    /** The signed-in user of this cookie value on this host, if the session is still good. */
    Optional<String> user(HostName host, String token) {
        Visit v = token == null ? null : visits.get(token);
        if (v == null || !v.host().equals(host)) {
            return Optional.empty();
        }
        if (v.until().isBefore(clock.instant())) {
            visits.remove(token);
            return Optional.empty();
        }
        return Optional.of(v.user());
    }

    void signOut(String token) {
        if (token != null) {
            visits.remove(token);
        }
    }

    /** Checks a name and password off the event loop; the future completes there too. */
    CompletableFuture<Outcome> signIn(HostName host, String user, String password, String source) {
        return CompletableFuture.supplyAsync(() -> check(host, user, password, source), workers);
    }

    private Outcome check(HostName host, String user, String password, String source) {
        Optional<Duration> locked = throttle.lockedFor(source);
        if (locked.isPresent()) {
            return new Refused("Too many failed sign-ins from your address: try again in "
                    + Math.max(1, locked.get().toSeconds()) + " s.");
        }
        Optional<String> hash = accounts.role(user)
                .filter(r -> r.equals(Accounts.DOOR) || r.equals(Accounts.ADMIN))
                .flatMap(r -> accounts.passwordHash(user));
        // A user that does not exist costs as much as a wrong password: the answer does not say which it was.
        boolean ok =
                PasswordHash.verify(password.toCharArray(), hash.orElseGet(PasswordHash::dummy)) && hash.isPresent();
        Actor actor = new Actor("site " + (user.isEmpty() ? "?" : user), source);
        if (!ok) {
            throttle.failed(source);
            audit.record(actor, "site.login-failed", host.toString(), "wrong name or password");
            return new Refused("Wrong name or password.");
        }
        throttle.succeeded(source);
        if (visits.size() >= MAX_SESSIONS) {
            Instant now = clock.instant();
            visits.values().removeIf(v -> v.until().isBefore(now));
        }
        byte[] raw = new byte[24];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        visits.put(token, new Visit(user, host, clock.instant().plus(LIFETIME)));
        audit.record(actor, "site.login", host.toString(), "signed in for " + LIFETIME.toHours() + " h");
        return new SignedIn(token, user);
    }
}
