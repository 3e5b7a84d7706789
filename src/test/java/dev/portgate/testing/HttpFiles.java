package dev.portgate.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A local HTTP server with one random file at /file, and its SHA-256, for end-to-end transfers. */
public final class HttpFiles implements AutoCloseable {

    private final HttpServer server;
    private final byte[] body;

    public HttpFiles(InetAddress address, int size) throws IOException {
        body = new byte[size];
        new Random(size).nextBytes(body);
        server = HttpServer.create(new InetSocketAddress(address, 0), 50);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/file", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String sha256() {
        return sha256(body);
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
