package dev.portgate.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code tunnel-endpoints:} entry: a portgate tunnel server this gateway connects to as a client. The server is
 * trusted by its pinned certificate {@code fingerprint} (SHA-256, hex) or by the CA in {@code ca}, never blindly.
 * {@code servers} lists every server to try, in order, the first being {@code host:port}: the nodes of a cluster,
 * each of which can take the client (they then need one certificate, or a CA).
 */
public record TunnelEndpointConfig(
        String name,
        String host,
        int port,
        String client,
        String token,
        String fingerprint,
        Path ca,
        Mode transport,
        Duration keepalive,
        String clientCertificate,
        List<Server> servers) {

    /** One tunnel server to try: {@code host:port}. */
    public record Server(String host, int port) {

        @Override
        public String toString() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    public TunnelEndpointConfig(
            String name,
            String host,
            int port,
            String client,
            String token,
            String fingerprint,
            Path ca,
            Mode transport,
            Duration keepalive,
            String clientCertificate) {
        this(name, host, port, client, token, fingerprint, ca, transport, keepalive, clientCertificate, null);
    }

    /** auto: QUIC, and TCP+TLS when UDP does not get through; or one of them only. */
    public enum Mode {
        AUTO,
        QUIC,
        TCP;

        public static Mode parse(String word) {
            return switch (word.strip().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "quic" -> QUIC;
                case "tcp" -> TCP;
                default -> throw new IllegalArgumentException(
                        "\"" + word + "\" is not a tunnel transport — use auto, quic or tcp");
            };
        }
    }

    /** A client known to the server by its token alone. */
    public TunnelEndpointConfig(
            String name,
            String host,
            int port,
            String client,
            String token,
            String fingerprint,
            Path ca,
            Mode transport,
            Duration keepalive) {
        this(name, host, port, client, token, fingerprint, ca, transport, keepalive, null);
    }

    /**
     * {@code clientCertificate}: null, {@code auto} (a self-signed one made in the data folder) or a PKCS#12 file
     * whose password is in the file beside it ({@code FILE.password}); the server may know the client by it instead
     * of a token ({@code token} is then "").
     */
    public TunnelEndpointConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        token = token == null ? "" : token;
        if (token.isEmpty() && clientCertificate == null) {
            throw new IllegalArgumentException(
                    "tunnel-endpoint \"" + name + "\": give a token-file or a client-certificate");
        }
        if (fingerprint == null && ca == null) {
            throw new IllegalArgumentException("tunnel-endpoint \"" + name
                    + "\": give server-fingerprint (printed by the server) or ca — an unknown server is never trusted");
        }
        fingerprint = fingerprint == null ? null : normalize(fingerprint);
        transport = transport == null ? Mode.AUTO : transport;
        keepalive = keepalive == null ? Duration.ofSeconds(10) : keepalive;
        servers = servers == null || servers.isEmpty() ? List.of(new Server(host, port)) : List.copyOf(servers);
    }

    /** {@code sha256:AB:CD…}, {@code AB:CD…} or {@code abcd…} as 64 lower-case hex digits. */
    public static String normalize(String fingerprint) {
        String s = fingerprint.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("sha256:")) {
            s = s.substring("sha256:".length());
        }
        s = s.replace(":", "");
        if (!s.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(
                    "server-fingerprint: \"" + fingerprint + "\" is not a SHA-256 fingerprint (64 hex digits)");
        }
        HexFormat.of().parseHex(s);
        return s;
    }

    @Override
    public String toString() {
        return name + " ("
                + String.join(", ", servers.stream().map(Server::toString).toList()) + ")";
    }
}
