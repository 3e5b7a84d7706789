package dev.portgate.http;

import dev.portgate.forward.HostName;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What a target learns about the client: {@code X-Forwarded-For/-Proto/-Host}, RFC 7239's {@code Forwarded}, and
 * {@code X-Forwarded-User} behind the login wall.
 * portgate is the edge, so whatever the client sent in these headers is dropped first — a visitor cannot claim
 * another address. Hop-by-hop headers (RFC 9110 §7.6.1) are removed in both directions, except an upgrade's.
 */
final class ForwardedHeaders {

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    private static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    private static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    private static final AsciiString X_FORWARDED_USER = AsciiString.cached("x-forwarded-user");
    private static final List<AsciiString> HOP_BY_HOP = List.of(
            HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.PROXY_AUTHENTICATE,
            HttpHeaderNames.PROXY_AUTHORIZATION,
            HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER);

    private ForwardedHeaders() {}

    /** Readies a request's headers for the target; true if the request asks to upgrade (WebSocket). */
    static boolean toTarget(
            HttpHeaders h, InetSocketAddress client, boolean secure, HostName host, int port, String user) {
        boolean upgrade = stripHopByHop(h);
        // HTTP/2 requests arrive with the codec's bookkeeping headers; they mean nothing to the target.
        h.names().stream()
                .filter(n -> n.regionMatches(true, 0, "x-http2-", 0, 8))
                .toList()
                .forEach(h::remove);
        String address = client.getAddress().getHostAddress();
        String proto = secure ? "https" : "http";
        h.set(X_FORWARDED_FOR, address)
                .set(X_REAL_IP, address)
                .set(X_FORWARDED_PROTO, proto)
                .set(X_FORWARDED_HOST, host.toString())
                .set(X_FORWARDED_PORT, port)
                .set(HttpHeaderNames.HOST, host.toString())
                .set(FORWARDED, "for=" + node(client) + ";host=" + host + ";proto=" + proto);
        if (upgrade) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE);
        }
        // Who signed in at the login wall: set only by portgate, never taken from the visitor.
        if (user != null) {
            h.set(X_FORWARDED_USER, user);
        } else {
            h.remove(X_FORWARDED_USER);
        }
        return upgrade;
    }

    /** Readies a response's headers for the client; true if it switches protocols. */
    static boolean toClient(HttpHeaders h) {
        return stripHopByHop(h);
    }

    /** Drops hop-by-hop headers and those named in Connection; keeps an Upgrade that Connection asks for. */
    private static boolean stripHopByHop(HttpHeaders h) {
        boolean upgrade = false;
        for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String t = token.strip();
                if (t.equalsIgnoreCase("upgrade")) {
                    upgrade = h.contains(HttpHeaderNames.UPGRADE);
                } else if (!t.isEmpty()) {
                    h.remove(t);
                }
            }
        }
        h.remove(HttpHeaderNames.CONNECTION);
        HOP_BY_HOP.forEach(h::remove);
        if (!upgrade) {
            h.remove(HttpHeaderNames.UPGRADE);
        } else {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE);
        }
        return upgrade;
    }

    /** RFC 7239 §6: an IPv6 node is quoted and bracketed, with its port. */
    private static String node(InetSocketAddress client) {
        String a = client.getAddress().getHostAddress();
        int pct = a.indexOf('%');
        if (pct >= 0) {
            a = a.substring(0, pct);
        }
        return client.getAddress() instanceof Inet6Address
                ? "\"[" + a + "]:" + client.getPort() + "\""
                : a + ":" + client.getPort();
    }
}
