package dev.portgate.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.ArrayList;
import java.util.List;

/** The login wall's cookie: read and taken off a request (the site never sees it), set, cleared. */
final class SiteCookies {

    private SiteCookies() {}

    /**
     * The value of cookie {@code name}, removed from the request's Cookie headers; the other cookies stay as they
     * were. {@code all}: remove every cookie (the wall's own pages need none of the site's).
     */
    static String take(HttpHeaders h, String name, boolean all) {
        String value = null;
        List<String> kept = new ArrayList<>();
        for (String header : h.getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie c : ServerCookieDecoder.LAX.decodeAll(header)) {
                if (c.name().equals(name)) {
                    value = c.value();
                } else if (!all) {
                    kept.add(c.name() + "=" + c.value());
                }
            }
        }
        h.remove(HttpHeaderNames.COOKIE);
        if (!kept.isEmpty()) {
            h.set(HttpHeaderNames.COOKIE, String.join("; ", kept));
        }
        return value;
    }

    static String session(String name, String token) {
        return name + "=" + token + "; Path=/; Max-Age=" + SiteLogins.LIFETIME.toSeconds()
                + "; HttpOnly; Secure; SameSite=Lax";
    }

    static String cleared(String name) {
        return name + "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax";
    }

    /** Where to go after signing in: a path on this site, never another site ({@code //evil.example}). */
    static String localPath(String wanted) {
        if (wanted == null
                || !wanted.startsWith("/")
                || wanted.startsWith("//")
                || wanted.contains("\\")
                || wanted.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            return "/";
        }
        return wanted;
    }
}
