package dev.portgate.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The {@code store:} section: where the state lives. No url: SQLite in the data folder (one node). A
 * {@code postgresql://user@host:port/db} url: that PostgreSQL database, shared by every node that names it; its
 * password comes from the url, then {@code password-file}, then {@code PGPASSWORD}, then {@code ~/.pgpass}
 * (read by the driver).
 */
public record StoreSettings(String url, Path passwordFile) {

    public static final StoreSettings EMBEDDED = new StoreSettings(null, null);

    public boolean shared() {
        return url != null;
    }

    /** Parses the url as a user writes it (libpq's URI form, or a JDBC url); the message names what is wrong. */
    public static Target parse(String url) {
        String text = url.strip();
        if (text.startsWith("jdbc:")) {
            text = text.substring("jdbc:".length());
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "\"" + url + "\" is not a url: " + e.getReason() + " — write postgresql://USER@HOST:PORT/DATABASE");
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException("\"" + url + "\" is not a PostgreSQL url"
                    + " — write postgresql://USER@HOST:PORT/DATABASE (leave url out for the embedded SQLite store)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException(
                    "\"" + url + "\" names no host — write postgresql://USER@HOST:PORT/DATABASE");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = path.startsWith("/") ? path.substring(1) : path;
        if (database.isEmpty() || database.contains("/")) {
            throw new IllegalArgumentException(
                    "\"" + url + "\" names no database — write postgresql://USER@HOST:PORT/DATABASE");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length == 2 ? decode(parts[1]) : null;
        }
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[")
                ? "[" + uri.getHost() + "]"
                : uri.getHost();
        String jdbc = "jdbc:postgresql://" + host + ":" + port + "/" + database
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new Target(jdbc, user, password, uri.getHost() + ":" + port + "/" + decode(database));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** A parsed url: the driver's url, the user and password it carries (or null), and a name for messages. */
    public record Target(String jdbcUrl, String user, String password, String display) {

        @Override
        public String toString() {
            return display; // never the password
        }
    }
}
