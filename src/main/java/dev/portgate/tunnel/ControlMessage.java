package dev.portgate.tunnel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages of a tunnel's control stream, each one JSON object in a length-prefixed frame: the client says
 * hello with its token, then asks for listens by id; the server answers each, and either side pings.
 */
public sealed interface ControlMessage {

    int VERSION = 1;
    /** No message is longer: a listen request with long allow-lists fits many times over. */
    int MAX_BYTES = 16 * 1024;

    record Hello(int version, String client, String token) implements ControlMessage {}

    record Welcome(String session) implements ControlMessage {}

    /** The whole connection is refused (bad token, unknown client, version): the server closes it after. */
    record Refused(String reason) implements ControlMessage {}

    /** Open {@code listen} on the server for {@code protocol} (tcp, udp or both); its arrivals carry {@code id}. */
    record Listen(int id, String protocol, String listen, List<String> allow, List<String> deny)
            implements ControlMessage {
        public Listen {
            allow = List.copyOf(allow);
            deny = List.copyOf(deny);
        }
    }

    /**
     * Serve a site by name on the server's shared http/https ports: {@code host} is a full name, or a short one the
     * server puts under its domain. Answered like a listen; its arrivals carry {@code id}.
     */
    record Serve(int id, String host) implements ControlMessage {}

    /** {@code url}: for a site, where visitors reach it (the server chose the full name); otherwise null. */
    record Listening(int id, String url) implements ControlMessage {
        public Listening(int id) {
            this(id, null);
        }
    }

    record ListenRefused(int id, String reason) implements ControlMessage {}

    record Unlisten(int id) implements ControlMessage {}

    record Ping(long sent) implements ControlMessage {}

    record Pong(long sent) implements ControlMessage {}

    /** On the TCP fallback, where only the client may open a stream: open one for the arrival {@code ticket}. */
    record Dial(int ticket) implements ControlMessage {}

    ObjectMapper JSON = new ObjectMapper();

    static byte[] encode(ControlMessage m) {
        ObjectNode o = JSON.createObjectNode();
        if (m instanceof Hello h) {
            o.put("type", "hello")
                    .put("version", h.version())
                    .put("client", h.client())
                    .put("token", h.token());
        } else if (m instanceof Welcome w) {
            o.put("type", "welcome").put("session", w.session());
        } else if (m instanceof Refused r) {
            o.put("type", "refused").put("reason", r.reason());
        } else if (m instanceof Listen l) {
            o.put("type", "listen")
                    .put("id", l.id())
                    .put("protocol", l.protocol())
                    .put("listen", l.listen());
            l.allow().forEach(o.putArray("allow")::add);
            l.deny().forEach(o.putArray("deny")::add);
        } else if (m instanceof Serve v) {
            o.put("type", "serve").put("id", v.id()).put("host", v.host());
        } else if (m instanceof Listening l) {
            o.put("type", "listening").put("id", l.id());
            if (l.url() != null) {
                o.put("url", l.url());
            }
        } else if (m instanceof ListenRefused r) {
            o.put("type", "listen-refused").put("id", r.id()).put("reason", r.reason());
        } else if (m instanceof Unlisten u) {
            o.put("type", "unlisten").put("id", u.id());
        } else if (m instanceof Ping p) {
            o.put("type", "ping").put("sent", p.sent());
        } else if (m instanceof Pong p) {
            o.put("type", "pong").put("sent", p.sent());
        } else if (m instanceof Dial d) {
            o.put("type", "dial").put("ticket", d.ticket());
        }
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads one message; anything else is a {@link WireException} naming what is wrong. */
    static ControlMessage decode(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new WireException("a control message of " + bytes.length + " bytes is over " + MAX_BYTES);
        }
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new WireException("a control message is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new WireException("a control message cannot be read: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw new WireException("a control message must be a JSON object");
        }
        String type = text(n, "type");
        return switch (type) {
            case "hello" -> new Hello(integer(n, "version"), text(n, "client"), text(n, "token"));
            case "welcome" -> new Welcome(text(n, "session"));
            case "refused" -> new Refused(text(n, "reason"));
            case "listen" -> new Listen(
                    integer(n, "id"), text(n, "protocol"), text(n, "listen"), texts(n, "allow"), texts(n, "deny"));
            case "serve" -> new Serve(integer(n, "id"), text(n, "host"));
            case "listening" -> new Listening(integer(n, "id"), n.has("url") ? text(n, "url") : null);
            case "listen-refused" -> new ListenRefused(integer(n, "id"), text(n, "reason"));
            case "unlisten" -> new Unlisten(integer(n, "id"));
            case "ping" -> new Ping(number(n, "sent"));
            case "pong" -> new Pong(number(n, "sent"));
            case "dial" -> new Dial(integer(n, "ticket"));
            default -> throw new WireException("unknown control message type \"" + clip(type) + "\"");
        };
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new WireException("a control message lacks the text field \"" + field + "\"");
        }
        return v.asText();
    }

    private static List<String> texts(JsonNode n, String field) {
        JsonNode v = n.get(field);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw new WireException("\"" + field + "\" must be a list of texts");
        }
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw new WireException("\"" + field + "\" must be a list of texts");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static int integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new WireException("a control message lacks the whole-number field \"" + field + "\"");
        }
        return v.asInt();
    }

    private static long number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new WireException("a control message lacks the whole-number field \"" + field + "\"");
        }
        return v.asLong();
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
