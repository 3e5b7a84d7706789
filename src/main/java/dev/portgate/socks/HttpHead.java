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
            if (colon <= 0 || !isToken(l, colon)) {
                throw new IllegalArgumentException("malformed header line " + i);
            }
            headers.add(
                    new String[] {l.substring(0, colon), l.substring(colon + 1).strip()});
        }
        HttpHead head = new HttpHead(req[0], req[1], req[2], headers);
        head.checkFraming();
        return head;
    }

    /** A field name is a token: no space before the colon (RFC 9112 §5.1), no control or separator characters. */
    private static boolean isToken(String line, int end) {
        for (int i = 0; i < end; i++) {
            char c = line.charAt(i);
            if (c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Refuses a body whose length two parties could read differently (RFC 9112 §6.3): Transfer-Encoding
     * beside Content-Length, Content-Lengths that differ or are not numbers, or a Transfer-Encoding that
     * does not end in chunked. That is how request smuggling starts.
     */
    private void checkFraming() {
        String length = null;
        boolean transferEncoding = false;
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase("Content-Length")) {
                for (String v : h[1].split(",", -1)) {
                    String value = v.strip();
                    if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                        throw new IllegalArgumentException("Content-Length is not a number: " + h[1]);
                    }
                    if (length != null && !length.equals(value)) {
                        throw new IllegalArgumentException(
                                "two different Content-Lengths: " + length + " and " + value);
                    }
                    length = value;
                }
            } else if (h[0].equalsIgnoreCase("Transfer-Encoding")) {
                if (transferEncoding) {
                    throw new IllegalArgumentException("Transfer-Encoding given twice");
                }
                transferEncoding = true;
                String[] codings = h[1].split(",", -1);
                if (!codings[codings.length - 1].strip().equalsIgnoreCase("chunked")) {
                    throw new IllegalArgumentException("a request's Transfer-Encoding must end in chunked: " + h[1]);
                }
            }
        }
        if (transferEncoding && length != null) {
            throw new IllegalArgumentException(
                    "both Content-Length and Transfer-Encoding: the body's length is ambiguous");
        }
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
