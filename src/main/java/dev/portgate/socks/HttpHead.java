package dev.portgate.socks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** An HTTP/1.x request head as a proxy needs it: the request line and the header lines, as sent. */
record HttpHead(String method, String target, String version, List<String[]> headers) {

    static final int MAX_BYTES = 16 * 1024;

    /** Parses the head (without the blank line); throws IllegalArgumentException with what is wrong. */
    static HttpHead parse(String text) {
        String[] lines = text.split("\r\n", -1);
        String[] req = lines[0].split(" ", -1);
        if (req.length != 3 || req[0].isEmpty() || req[1].isEmpty() || !req[2].startsWith("HTTP/1.")) {
            throw new IllegalArgumentException("malformed request line");
        }
        for (char c : req[0].toCharArray()) {
            if (c < 'A' || c > 'Z') {
                throw new IllegalArgumentException("malformed method");
            }
        }
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i];
            int colon = l.indexOf(':');
            if (colon <= 0 || l.charAt(0) == ' ' || l.charAt(0) == '\t') {
                throw new IllegalArgumentException("malformed header line " + i);
            }
            headers.add(new String[] {
                l.substring(0, colon).strip(), l.substring(colon + 1).strip()
            });
        }
        return new HttpHead(req[0], req[1], req[2], headers);
    }

    String header(String name) {
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                return h[1];
            }
        }
        return null;
    }

    /** The head to send the origin server: origin-form target, hop-by-hop and proxy headers dropped, one request per connection. */
    String forOrigin(String path) {
        StringBuilder b = new StringBuilder()
                .append(method)
                .append(' ')
                .append(path)
                .append(' ')
                .append(version)
                .append("\r\n");
        String connection = header("Connection");
        List<String> hop = new ArrayList<>(List.of(
                "connection",
                "keep-alive",
                "proxy-connection",
                "proxy-authorization",
                "proxy-authenticate",
                "te",
                "trailer",
                "upgrade"));
        if (connection != null) {
            for (String token : connection.split(",")) {
                hop.add(token.strip().toLowerCase(Locale.ROOT));
            }
        }
        for (String[] h : headers) {
            if (!hop.contains(h[0].toLowerCase(Locale.ROOT))) {
                b.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
        }
        return b.append("Connection: close\r\n\r\n").toString();
    }
}
