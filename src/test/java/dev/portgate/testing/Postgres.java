package dev.portgate.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own: {@code initdb} in a temporary folder, started on a free port of the
 * given address with {@code fsync=off}, as the unprivileged user {@code nobody} when the test runs as root (the
 * server refuses to run as root). The superuser {@code portgate} has a password (in {@link #passwordFile()}) for
 * connections over TCP; the database {@code portgate} exists. Stopped and removed on close.
 */
public final class Postgres implements AutoCloseable {

    public static final String USER = "portgate";
    public static final String PASSWORD = "cluster-test-secret";

    private static final Duration LIMIT = Duration.ofSeconds(60);

    private final Path dir;
    private final Path bin;
    private final List<String> prefix;
    private final String address;
    private final int port;
    private Process server;

    private Postgres(Path dir, Path bin, List<String> prefix, String address, int port) {
        this.dir = dir;
        this.bin = bin;
        this.prefix = prefix;
        this.address = address;
        this.port = port;
    }

    /** A server on 127.0.0.1. */
    public static Postgres start() throws Exception {
        return start(List.of(), "127.0.0.1", Net.freeTcpPort());
    }

    /** A server on {@code address}:{@code port}, its commands run after {@code prefix} (e.g. ip netns exec NS). */
    public static Postgres start(List<String> prefix, String address, int port) throws Exception {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("portgate-pg");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Postgres pg = new Postgres(dir, bin, prefix, address, port);
        try {
            pg.init();
            pg.startServer();
            pg.must(pg.psql("postgres", "CREATE DATABASE portgate"));
        } catch (Exception | AssertionError e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Path newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/postgres")))
                        .max(Comparator.comparing(v -> v.getFileName().toString()))
                        .orElse(null);
                if (newest != null) {
                    return newest.resolve("bin");
                }
            } catch (IOException e) {
                // said below
            }
        }
        Peers.unavailable("PostgreSQL's server is not installed (Debian: apt-get install postgresql)");
        throw new IllegalStateException("unreachable");
    }

    private boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The command run as the server's user, in the test's namespace if any. */
    private List<String> asServerUser(String... command) {
        List<String> out = new ArrayList<>(prefix);
        if (asRoot()) {
            out.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"));
        }
        out.addAll(List.of(command));
        return out;
    }

    private void init() throws Exception {
        Path data = dir.resolve("data");
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Path pw = dir.resolve("password");
        Files.writeString(pw, PASSWORD + "\n");
        if (asRoot()) {
            Processes.run(LIMIT, List.of("chown", "-R", "nobody:nogroup", dir.toString()));
        }
        must(asServerUser(
                bin.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                USER,
                "--pwfile=" + pw,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync"));
        // initdb lets in loopback only; a server in a test namespace also takes the nodes on its own subnet.
        Files.writeString(
                data.resolve("pg_hba.conf"), "host all all samenet scram-sha-256\n", StandardOpenOption.APPEND);
    }

    private void startServer() throws Exception {
        server = Processes.start(asServerUser(
                bin.resolve("postgres").toString(),
                "-D",
                dir.resolve("data").toString(),
                "-p",
                String.valueOf(port),
                "-k",
                dir.resolve("run").toString(),
                "-c",
                "listen_addresses=" + address,
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "shared_buffers=16MB",
                "-c",
                "max_connections=60"));
        await().atMost(LIMIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!server.isAlive()) {
                throw new AssertionError("postgres ended with " + server.exitValue() + ": "
                        + new String(server.getErrorStream().readAllBytes()));
            }
            return Processes.run(
                                    LIMIT,
                                    asServerUser(
                                            bin.resolve("pg_isready").toString(),
                                            "-q",
                                            "-h",
                                            dir.resolve("run").toString(),
                                            "-p",
                                            String.valueOf(port)))
                            .exit()
                    == 0;
        });
    }

    private void must(List<String> command) throws Exception {
        Processes.Result r = Processes.run(LIMIT, command);
        if (r.exit() != 0) {
            throw new IllegalStateException(
                    String.join(" ", command) + " failed: " + r.stderr().strip());
        }
    }

    /** The url a portgate node's {@code store.url} takes (the password is in {@link #passwordFile()}). */
    public String url() {
        String host = address.contains(":") ? "[" + address + "]" : address;
        return "postgresql://" + USER + "@" + host + ":" + port + "/portgate";
    }

    /** A file holding the password, readable by the test's gateways. */
    public Path passwordFile() {
        return dir.resolve("password");
    }

    /** Stops the server (a fast shutdown: clients are disconnected), keeping its data. */
    public void stop() throws InterruptedException {
        if (server != null) {
            // SIGINT is PostgreSQL's fast shutdown: clients are cut off (SIGTERM would wait for them to leave).
            try {
                Processes.run(LIMIT, List.of("kill", "-INT", String.valueOf(server.pid())));
            } catch (IOException e) {
                server.destroy();
            }
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            server = null;
        }
    }

    /** Starts it again on the same port and data. */
    public void restart() throws Exception {
        startServer();
    }

    /** psql as the superuser over the socket, on {@code database}, quiet and unaligned. */
    private List<String> psql(String database, String statement) {
        return asServerUser(
                bin.resolve("psql").toString(),
                "-h",
                dir.resolve("run").toString(),
                "-p",
                String.valueOf(port),
                "-U",
                USER,
                "-d",
                database,
                "-qAtc",
                statement);
    }

    /** Runs SQL as the superuser over the socket; returns what psql printed (unaligned, tuples only). */
    public String sql(String statement) throws Exception {
        Processes.Result r = Processes.run(LIMIT, psql("portgate", statement));
        if (r.exit() != 0) {
            throw new IllegalStateException("psql failed: " + r.stderr().strip());
        }
        return r.out().strip();
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
