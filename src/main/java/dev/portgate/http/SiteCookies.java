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
     * were, except in a header that cannot be parsed, which is dropped. {@code all}: remove every cookie (the wall's own pages need none of the site's).
     */
    static String take(HttpHeaders h, String name, boolean all) {
        String value = null;
        List<String> kept = new ArrayList<>();
        for (String header : h.getAll(HttpHeaderNames.COOKIE)) {
            String mine = valueOf(header, name);
            if (mine == null && !named(header, name)) {
                if (!all) {
                    kept.add(header); // none of ours: the site's cookies go on exactly as sent
                }
                continue;
            }
            value = mine != null ? mine : value;
            if (all) {
                continue;
            }
            // Ours is taken out piece by piece; if the rest still reads as ours, the header goes whole.
            List<String> pieces = new ArrayList<>();
            for (String piece : header.split(";")) {
                String p = piece.strip();
                if (!p.isEmpty() && !pieceName(p).equals(name)) {
                    pieces.add(p);
                }
            }
            String rest = String.join("; ", pieces);
            if (!rest.isEmpty() && !named(rest, name)) {
                kept.add(rest);
            }
        }
        h.remove(HttpHeaderNames.COOKIE);
        kept.forEach(k -> h.add(HttpHeaderNames.COOKIE, k));
        return value;
    }

    /** The value of cookie {@code name} in one header as Netty reads it; null if absent or the header is malformed. */
    private static String valueOf(String header, String name) {
        for (Cookie c : decode(header)) {
            if (c.name().equals(name)) {
                return c.value();
            }
        }
        return null;
    }

    /** True if the header holds a cookie of that name, or cannot be read at all (it might hide one). */
    private static boolean named(String header, String name) {
        try {
            return ServerCookieDecoder.LAX.decodeAll(header).stream()
                    .anyMatch(c -> c.name().equals(name));
        } catch (IllegalArgumentException malformed) {
            return true;
        }
    }

    private static List<Cookie> decode(String header) {
        try {
            return ServerCookieDecoder.LAX.decodeAll(header);
        } catch (IllegalArgumentException malformed) {
            return List.of();
        }
    }

    /** A piece's name as a cookie parser sees it: the text before '=', without the separators it skips. */
    private static String pieceName(String piece) {
        int eq = piece.indexOf('=');
        String n = eq < 0 ? piece : piece.substring(0, eq);
        return n.replaceAll("^[\\s,]+", "").strip();
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
