package dev.portgate.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Plain HTTP calls to a running gateway's API, with the data folder's token unless told otherwise. */
public final class ApiCalls {

    private final String base;
    private final String token;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ApiCalls(Path data) throws IOException {
        this(
                Files.readString(data.resolve("console-url")).strip(),
                Files.readString(data.resolve("api-token")).strip());
    }

    public ApiCalls(String base, String token) {
        this.base = base;
        this.token = token;
    }

    public record Reply(int status, String body, HttpResponse<String> raw) {}

    public Reply call(String method, String path, String contentType, String body, String bearer)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r);
    }

    public Reply get(String path) throws IOException, InterruptedException {
        return call("GET", path, null, null, token);
    }

    public Reply send(String method, String path, String json) throws IOException, InterruptedException {
        return call(method, path, json == null ? null : "application/json", json, token);
    }

    public String base() {
        return base;
    }

    public String token() {
        return token;
    }
}
