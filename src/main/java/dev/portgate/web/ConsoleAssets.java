package dev.portgate.web;

import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The console's few static files, read once from the jar into memory. Jetty's resource handler would
 * mount the whole jar as a zip file system for each of them — about 50 MB of heap for 24,000 index
 * entries on a box that has none to spare — to serve six small files.
 */
final class ConsoleAssets {

    private record Asset(String resource, String contentType) {}

    private static final String UPLOT = "/webjars/uplot/1.6.30/dist/";

    private static final Map<String, Asset> ASSETS = Map.of(
            "/",
            new Asset("/web/index.html", "text/html; charset=utf-8"),
            "/index.html",
            new Asset("/web/index.html", "text/html; charset=utf-8"),
            "/app.js",
            new Asset("/web/app.js", "text/javascript; charset=utf-8"),
            "/style.css",
            new Asset("/web/style.css", "text/css; charset=utf-8"),
            "/favicon.svg",
            new Asset("/web/favicon.svg", "image/svg+xml"),
            UPLOT + "uPlot.min.css",
            new Asset("/META-INF/resources" + UPLOT + "uPlot.min.css", "text/css; charset=utf-8"),
            UPLOT + "uPlot.iife.min.js",
            new Asset("/META-INF/resources" + UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"));

    private ConsoleAssets() {}

    static void register(RoutesConfig routes) {
        ASSETS.forEach((path, asset) -> {
            byte[] body = read(asset.resource());
            routes.get(path, ctx -> ctx.contentType(asset.contentType()).result(body));
        });
    }

    private static byte[] read(String resource) {
        try (InputStream in = ConsoleAssets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks the console file " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console file " + resource, e);
        }
    }
}
