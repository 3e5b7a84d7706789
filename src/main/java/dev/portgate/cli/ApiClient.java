package dev.portgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portgate.DataFolder;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CLI's way to the running gateway: its REST API, at the URL the gateway wrote into the data
 * folder, with the data folder's token (or PORTGATE_API_TOKEN). A self-signed console certificate
 * is trusted because it is the one in that same data folder.
 */
final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The API answered with an error (its status and JSON body), or could not be reached (status 0). */
    static final class Failure extends Exception {
        final int status;
        final transient JsonNode body;

        Failure(int status, String message, JsonNode body) {
            super(message);
            this.status = status;
            this.body = body;
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient http;

    private ApiClient(URI base, String token, HttpClient http) {
        this.base = base;
        this.token = token;
        this.http = http;
    }

    static ApiClient from(Path data, String api) throws Failure {
        try {
            if (api == null || System.getenv("PORTGATE_API_TOKEN") == null) {
                if (Files.isDirectory(data)) {
                    DataFolder.checkPrivateForReading(data);
                }
            }
            String url = api != null
                    ? api
                    : readTrimmed(
                            data.resolve("console-url"),
                            "no console URL in " + data + " — is `portgate serve --data " + data
                                    + "` running? (or give --api URL)");
            String token = System.getenv("PORTGATE_API_TOKEN");
            if (token == null || token.isBlank()) {
                token = readTrimmed(
                        data.resolve("api-token"),
                        "no API token in " + data + " — set PORTGATE_API_TOKEN or give --data");
            }
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
            Path store = data.resolve("console.p12");
            if (url.startsWith("https://") && Files.exists(store)) {
                b.sslContext(trusting(
                        store, readTrimmed(data.resolve("console.p12.password"), "console.p12 has no password file")));
            }
            return new ApiClient(
                    URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url), token.strip(), b.build());
        } catch (IOException | GeneralSecurityException e) {
            throw new Failure(0, e.getMessage(), null);
        }
    }

    private static String readTrimmed(Path file, String missing) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException(missing);
        }
        return Files.readString(file).strip();
    }

    private static SSLContext trusting(Path store, String password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("portgate", ks.getCertificate(ks.aliases().nextElement()));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    JsonNode get(String path) throws Failure {
        return send("GET", path, null);
    }

    JsonNode post(String path, JsonNode body) throws Failure {
        return send("POST", path, body);
    }

    JsonNode put(String path, JsonNode body) throws Failure {
        return send("PUT", path, body);
    }

    JsonNode patch(String path, JsonNode body) throws Failure {
        return send("PATCH", path, body);
    }

    JsonNode delete(String path) throws Failure {
        return send("DELETE", path, null);
    }

    private JsonNode send(String method, String path, JsonNode body) throws Failure {
        HttpRequest.Builder rb = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
        if (body != null) {
            rb.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            rb.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r;
        try {
            r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Failure(0, "cannot reach the gateway at " + base + " — is `portgate serve` running?", null);
        } catch (IOException e) {
            throw new Failure(0, "talking to " + base + ": " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(0, "interrupted", null);
        }
        JsonNode json = null;
        if (!r.body().isEmpty()) {
            try {
                json = JSON.readTree(r.body());
            } catch (IOException e) {
                throw new Failure(
                        r.statusCode(),
                        "the gateway answered " + r.statusCode() + " with something that is not JSON",
                        null);
            }
        }
        if (r.statusCode() >= 400) {
            String msg = json != null && json.has("error") ? json.get("error").asText() : "HTTP " + r.statusCode();
            throw new Failure(r.statusCode(), msg, json);
        }
        return json;
    }
}
