package dev.portgate.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portgate.forward.Problem;
import dev.portgate.policy.LoginThrottle;
import dev.portgate.policy.PasswordHash;
import dev.portgate.rules.Actor;
import dev.portgate.store.Accounts;
import dev.portgate.store.AuditLog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Log in and out, change the admin password, manage API tokens. */
final class AccountApi {

    private static final Pattern TOKEN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    static final int MIN_PASSWORD = 10;

    private final Accounts accounts;
    private final Sessions sessions;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final boolean secureCookies;

    AccountApi(Accounts accounts, Sessions sessions, LoginThrottle throttle, AuditLog audit, boolean secureCookies) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.throttle = throttle;
        this.audit = audit;
        this.secureCookies = secureCookies;
    }

    /** Routes reachable without logging in. */
    void registerPublic(RoutesConfig r) {
        r.post("/api/v1/session", this::login);
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/session", this::whoAmI);
        r.delete("/api/v1/session", this::logout);
        r.post("/api/v1/account/password", this::changePassword);
        r.get("/api/v1/tokens", this::listTokens);
        r.post("/api/v1/tokens", this::createToken);
        r.delete("/api/v1/tokens/{name}", this::deleteToken);
        r.get("/api/v1/users", this::listUsers);
        r.post("/api/v1/users", this::addDoorUser);
        r.delete("/api/v1/users/{name}", this::deleteUser);
    }

    private void login(Context ctx) {
        String ip = ctx.ip();
        Optional<Duration> locked = throttle.lockedFor(ip);
        if (locked.isPresent()) {
            ctx.header("Retry-After", Long.toString(locked.get().toSeconds() + 1));
            throw new ApiException(
                    429,
                    "too many failed logins from " + ip + " — try again in "
                            + (locked.get().toSeconds() + 1) + " s");
        }
        JsonNode body = Bodies.json(ctx);
        String user = body.has("user") ? Bodies.text(body, "user") : Accounts.ADMIN;
        String password = Bodies.text(body, "password");
        Optional<String> hash = accounts.passwordHash(user);
        // Hash even for an unknown user, so timing does not tell which users exist.
        boolean ok;
        if (hash.isPresent()) {
            ok = PasswordHash.verify(password.toCharArray(), hash.get());
        } else {
            PasswordHash.verify(password.toCharArray(), PasswordHash.dummy());
            ok = false;
        }
        if (!ok) {
            throttle.failed(ip);
            audit.record(new Actor(user, ip), "login.failed", user, "");
            throw new ApiException(401, "wrong user name or password");
        }
        throttle.succeeded(ip);
        Sessions.Session s = sessions.create(user);
        setCookie(ctx, s.id(), (int) Sessions.ABSOLUTE.toSeconds());
        audit.record(new Actor(user, ip), "login", user, "");
        ctx.json(sessionView(s.user(), s.csrf())
                .put("role", accounts.role(s.user()).orElse(Accounts.DOOR)));
    }

    private void whoAmI(Context ctx) {
        Caller c = Authenticator.caller(ctx);
        String csrf = c.viaSession()
                ? sessions.find(c.sessionId()).map(Sessions.Session::csrf).orElse("")
                : "";
        ctx.json(sessionView(c.name(), csrf)
                .put("via", c.viaSession() ? "session" : "token")
                .put("role", c.doorOnly() ? Accounts.DOOR : Accounts.ADMIN));
    }

    private void logout(Context ctx) {
        Caller c = Authenticator.caller(ctx);
        if (c.viaSession()) {
            sessions.end(c.sessionId());
            setCookie(ctx, "", 0);
        }
        ctx.status(204);
    }

    private void changePassword(Context ctx) {
        Caller c = Authenticator.caller(ctx);
        JsonNode body = Bodies.json(ctx);
        String current = Bodies.text(body, "current");
        String next = Bodies.text(body, "new");
        String user = c.viaSession() ? c.name() : Accounts.ADMIN;
        if (c.viaSession()) {
            String hash = accounts.passwordHash(user).orElseThrow(() -> new ApiException(404, "no user " + user));
            if (!PasswordHash.verify(current.toCharArray(), hash)) {
                throttle.failed(ctx.ip());
                throw new ApiException(
                        422,
                        "the current password is wrong",
                        List.of(Problem.of("", "current", "the current password is wrong")));
            }
        }
        if (next.length() < MIN_PASSWORD) {
            throw new ApiException(
                    422,
                    "the new password is too short",
                    List.of(Problem.of(
                            "", "new", "the new password must have at least " + MIN_PASSWORD + " characters")));
        }
        accounts.setPassword(user, "admin", PasswordHash.hash(next.toCharArray()));
        sessions.endAllOf(user, c.sessionId());
        audit.record(c.actor(), "password.change", user, "");
        ctx.status(204);
    }

    private void listTokens(Context ctx) {
        ArrayNode out = Views.JSON.createArrayNode();
        for (Accounts.Token t : accounts.tokens()) {
            ObjectNode o = out.addObject();
            o.put("name", t.name());
            o.put("created", t.created().toString());
            if (t.lastUsed() != null) {
                o.put("last-used", t.lastUsed().toString());
            } else {
                o.putNull("last-used");
            }
        }
        ctx.json(out);
    }

    /** The characters a token name may not have, said by name ("a space") so an invisible one is seen. */
    private static String offending(String name) {
        StringBuilder out = new StringBuilder();
        name.codePoints()
                .filter(c -> !(Character.isLetterOrDigit(c) && c < 128) && c != '.' && c != '_' && c != '-')
                .distinct()
                .forEach(c -> {
                    if (out.length() > 0) {
                        out.append(", ");
                    }
                    out.append(c == ' ' ? "a space" : "'" + Character.toString(c) + "'");
                });
        if (out.length() > 0) {
            return out.toString();
        }
        return name.length() > 63 ? "more than 63 characters" : "a first character that is not a letter or digit";
    }

    private void createToken(Context ctx) {
        String name = Bodies.text(Bodies.json(ctx), "name");
        if (!TOKEN_NAME.matcher(name).matches()) {
            String why = name.isBlank()
                    ? "give the token a name, e.g. backup-script"
                    : "token name \"" + name + "\" has " + offending(name)
                            + " — use only letters, digits, '.', '_' and '-'";
            throw new ApiException(422, why, List.of(Problem.of("", "name", why)));
        }
        String secret = "pgt_" + PasswordHash.randomSecret(32);
        if (!accounts.addToken(name, secret)) {
            throw new ApiException(409, "a token named \"" + name + "\" exists already");
        }
        audit.record(Authenticator.caller(ctx).actor(), "token.create", name, "");
        ctx.status(201).json(Views.JSON.createObjectNode().put("name", name).put("token", secret));
    }

    private void deleteToken(Context ctx) {
        String name = ctx.pathParam("name");
        if (!accounts.deleteToken(name)) {
            throw new ApiException(404, "there is no token named \"" + name + "\"");
        }
        audit.record(Authenticator.caller(ctx).actor(), "token.delete", name, "");
        ctx.status(204);
    }

    private void listUsers(Context ctx) {
        var out = Views.JSON.createArrayNode();
        accounts.users().forEach(u -> out.addObject().put("name", u.name()).put("role", u.role()));
        ctx.json(out);
    }

    /** Adds (or re-passwords) a door user: one who may log in only to open doors of access: login forwards. */
    private void addDoorUser(Context ctx) {
        var body = Bodies.json(ctx);
        String name = Bodies.text(body, "name").strip();
        String password = Bodies.text(body, "password");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new ApiException(
                    422,
                    "name: use letters, digits, '.', '_' and '-'",
                    List.of(new Problem("", "", "name", "name: use letters, digits, '.', '_' and '-'")));
        }
        if (accounts.role(name).map(Accounts.ADMIN::equals).orElse(false)) {
            throw new ApiException(409, "\"" + name + "\" is the administrator, not a door user");
        }
        if (password.length() < 10) {
            throw new ApiException(
                    422,
                    "password: at least 10 characters",
                    List.of(new Problem("", "", "password", "password: at least 10 characters")));
        }
        accounts.setPassword(name, Accounts.DOOR, PasswordHash.hash(password.toCharArray()));
        audit.record(Authenticator.caller(ctx).actor(), "user.door", name, "");
        ctx.status(201).json(Views.JSON.createObjectNode().put("name", name).put("role", Accounts.DOOR));
    }

    private void deleteUser(Context ctx) {
        String name = ctx.pathParam("name");
        if (!accounts.deleteUser(name)) {
            throw new ApiException(404, "there is no door user named \"" + name + "\"");
        }
        audit.record(Authenticator.caller(ctx).actor(), "user.delete", name, "");
        ctx.status(204);
    }

    private static ObjectNode sessionView(String user, String csrf) {
        return Views.JSON.createObjectNode().put("user", user).put("csrf", csrf);
    }

    private void setCookie(Context ctx, String value, int maxAge) {
        ctx.header(
                "Set-Cookie",
                Authenticator.COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAge + "; HttpOnly; SameSite=Strict"
                        + (secureCookies ? "; Secure" : ""));
    }
}
