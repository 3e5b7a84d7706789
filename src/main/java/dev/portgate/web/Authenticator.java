package dev.portgate.web;

import dev.portgate.store.Accounts;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Decides who a request comes from: {@code Authorization: Bearer <token>} for scripts and the CLI,
 * or the console's session cookie, which must come with its CSRF token on every change.
 */
final class Authenticator {

    static final String COOKIE = "pg_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final String CALLER = "portgate.caller";

    private final Accounts accounts;
    private final Sessions sessions;

    Authenticator(Accounts accounts, Sessions sessions) {
        this.accounts = accounts;
        this.sessions = sessions;
    }

    /** Sets the caller on the request, or throws 401/403. */
    void authenticate(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth != null) {
            if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new ApiException(401, "Authorization must be \"Bearer <token>\"");
            }
            String token = auth.substring(7).strip();
            Optional<String> name = token.isEmpty() ? Optional.empty() : accounts.tokenName(token);
            if (name.isEmpty()) {
                throw new ApiException(
                        401, "the API token is not valid — see <data>/api-token or Settings → API tokens");
            }
            ctx.attribute(CALLER, new Caller(name.get(), false, null, ctx.ip()));
            return;
        }
        Optional<Sessions.Session> session = sessions.find(ctx.cookie(COOKIE));
        if (session.isEmpty()) {
            throw new ApiException(401, "log in first, or send Authorization: Bearer <token>");
        }
        Sessions.Session s = session.get();
        boolean reading =
                switch (ctx.method().name()) {
                    case "GET", "HEAD", "OPTIONS" -> true;
                    default -> false;
                };
        if (!reading && !constantTimeEquals(s.csrf(), ctx.header(CSRF_HEADER))) {
            throw new ApiException(403, "missing or wrong " + CSRF_HEADER + " header — reload the console");
        }
        boolean doorOnly = accounts.role(s.user()).map(Accounts.DOOR::equals).orElse(true);
        if (doorOnly && !doorPath(ctx.path())) {
            throw new ApiException(403, "user \"" + s.user() + "\" may only open doors (the Open a door page)");
        }
        ctx.attribute(CALLER, new Caller(s.user(), true, s.id(), ctx.ip(), doorOnly));
    }

    /** What a door user may reach: its own session and the doors it may open. */
    private static boolean doorPath(String path) {
        return path.equals("/api/v1/session") || path.equals("/api/v1/door") || path.startsWith("/api/v1/door/");
    }

    static Caller caller(Context ctx) {
        return ctx.attribute(CALLER);
    }

    private static boolean constantTimeEquals(String expected, String given) {
        return given != null
                && MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
