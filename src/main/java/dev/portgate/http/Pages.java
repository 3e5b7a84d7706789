package dev.portgate.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The answers the front end gives itself: short HTML pages that say what happened and name no other site, and the
 * redirect to https. Each closes the connection, so nothing the client sent after it needs to be read.
 */
final class Pages {

    static final String LOGIN_PATH = "/.portgate/login";
    static final String LOGOUT_PATH = "/.portgate/logout";

    private Pages() {}

    static FullHttpResponse page(ByteBufAllocator alloc, HttpResponseStatus status, String text) {
        String html = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + status.code() + " "
                + escape(status.reasonPhrase()) + "</title></head>\n<body><h1>" + status.code() + " "
                + escape(status.reasonPhrase()) + "</h1>\n<p>" + escape(text) + "</p></body></html>\n";
        ByteBuf body = alloc.buffer();
        body.writeCharSequence(html, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }

    /**
     * The login wall's page: a form that posts a console user's name and password back to this host, and the path to
     * return to. Usable on a phone; no script, nothing from elsewhere.
     */
    static FullHttpResponse loginForm(ByteBufAllocator alloc, String host, String returnTo, String message) {
        String html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>Sign in — " + escape(host) + "</title>"
                + "<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}"
                + "label,input,button{display:block;width:100%;box-sizing:border-box;font-size:1.1rem}"
                + "input{margin:.3rem 0 1rem;padding:.6rem}button{padding:.7rem}.m{color:#a00}</style></head>\n"
                + "<body><h1>Sign in</h1><p>" + escape(host) + " is open to signed-in users only.</p>"
                + (message == null ? "" : "<p class=\"m\" role=\"alert\">" + escape(message) + "</p>")
                + "<form method=\"post\" action=\"" + LOGIN_PATH + "\">"
                + "<input type=\"hidden\" name=\"return\" value=\"" + escape(returnTo) + "\">"
                + "<label for=\"u\">Name</label><input id=\"u\" name=\"user\" autocomplete=\"username\" required>"
                + "<label for=\"p\">Password</label><input id=\"p\" name=\"password\" type=\"password\" "
                + "autocomplete=\"current-password\" required><button type=\"submit\">Sign in</button></form>"
                + "</body></html>\n";
        ByteBuf body = alloc.buffer();
        body.writeCharSequence(html, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.UNAUTHORIZED, body);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }

    /** After a sign-in (or out): back to the page, with the session cookie set (or cleared). */
    static FullHttpResponse signedIn(ByteBufAllocator alloc, String location, String cookie) {
        FullHttpResponse r = page(alloc, HttpResponseStatus.SEE_OTHER, "Signed in.");
        r.headers().set(HttpHeaderNames.LOCATION, location).set(HttpHeaderNames.SET_COOKIE, cookie);
        return r;
    }

    /** A plain-text 200: an ACME challenge's key authorization. */
    static FullHttpResponse text(ByteBufAllocator alloc, String text) {
        ByteBuf body = alloc.buffer();
        body.writeCharSequence(text, StandardCharsets.US_ASCII);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }

    /** 308 keeps the method and body, so a POST sent to http is not turned into a GET. */
    static FullHttpResponse redirect(ByteBufAllocator alloc, String location) {
        FullHttpResponse r = page(alloc, HttpResponseStatus.PERMANENT_REDIRECT, "This site is at " + location);
        r.headers().set(HttpHeaderNames.LOCATION, location);
        return r;
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c < 0x20 || c == 0x7f ? '?' : c);
            }
        }
        return b.toString();
    }
}
