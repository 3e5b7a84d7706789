package dev.portgate.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A web site on 127.0.0.1 that answers every request with "hello from HOST" (the Host header it was sent). */
public final class HelloSite implements AutoCloseable {

    private final HttpServer server;

    private HelloSite(HttpServer server) {
        this.server = server;
    }

    public static HelloSite start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] body =
                    ("hello from " + ex.getRequestHeaders().getFirst("Host") + "\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return new HelloSite(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
