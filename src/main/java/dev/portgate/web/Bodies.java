package dev.portgate.web;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.util.Locale;

/** Reads request bodies: JSON only, of a bounded size, parsed strictly. */
final class Bodies {

    static final int MAX_BYTES = 64 * 1024;

    private Bodies() {}

    static JsonNode json(Context ctx) {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(
                    415,
                    "send the body as JSON with Content-Type: application/json (got " + (type == null ? "none" : type)
                            + ")");
        }
        byte[] body;
        try {
            body = ctx.bodyAsBytes();
        } catch (HttpResponseException e) {
            throw e; // Javalin's own answer, such as 413 for a body over its limit
        } catch (Exception e) { // Jetty's EofException arrives undeclared (Kotlin): the client's mistake, not ours
            throw new ApiException(400, "the body ended before its Content-Length (" + ctx.contentLength() + " bytes)");
        }
        return parse(body);
    }

    /** Parses a body strictly: one JSON object, no duplicate keys, nesting bounded; anything else is a 4xx naming why. */
    static JsonNode parse(byte[] body) {
        if (body.length > MAX_BYTES) {
            throw new ApiException(413, "the body is " + body.length + " bytes; the limit is " + MAX_BYTES);
        }
        if (body.length == 0) {
            throw new ApiException(400, "the body is empty — send a JSON object");
        }
        try {
            JsonNode node = Views.JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new ApiException(400, "the body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            if (!(e instanceof JsonProcessingException j)) {
                throw new ApiException(400, "unreadable body: " + e.getMessage());
            }
            JsonLocation at = j.getLocation();
            throw new ApiException(
                    400,
                    at == null
                            ? "malformed JSON: " + j.getOriginalMessage()
                            : "malformed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr() + ": "
                                    + j.getOriginalMessage());
        }
    }

    static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw new ApiException(422, field + " is missing");
        }
        if (!v.isTextual()) {
            throw new ApiException(422, field + " must be a string");
        }
        return v.asText();
    }
}
