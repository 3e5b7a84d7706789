package dev.portgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.portgate.policy.PasswordHash;
import dev.portgate.store.Accounts;
import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TestCa;
import dev.portgate.testing.TestGateway;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Many sites on one pair of ports, routed by name: curl as the visitor (with {@code --resolve}, so no name is ever
 * looked up), JDK HTTP servers, openssl s_server and a Netty WebSocket server as the sites.
 */
class HttpRoutingIT {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    private final List<HttpServer> backends = new ArrayList<>();
    private Path dir;
    private int http;
    private int https;

    @BeforeEach
    void ports() throws IOException {
        dir = Files.createTempDirectory("portgate-http");
        http = Net.freeTcpPort();
        https = Net.freeTcpPort();
    }

    @AfterEach
    void stop() {
        backends.forEach(b -> b.stop(0));
    }

    /** A site that answers with its name and what it was told about the visitor. */
    private int site(String name) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", ex -> {
            String body = "site " + name + "\npath=" + ex.getRequestURI() + "\nxff="
                    + ex.getRequestHeaders().getFirst("X-Forwarded-For") + "\nproto="
                    + ex.getRequestHeaders().getFirst("X-Forwarded-Proto") + "\nxfh="
                    + ex.getRequestHeaders().getFirst("X-Forwarded-Host") + "\nfwd="
                    + ex.getRequestHeaders().getFirst("Forwarded") + "\nhost="
                    + ex.getRequestHeaders().getFirst("Host") + "\n";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        s.start();
        backends.add(s);
        return s.getAddress().getPort();
    }

    private String routing(boolean redirect) {
        return "http-routing:\n  http: 127.0.0.1:" + http + "\n  https: 127.0.0.1:" + https + "\n  redirect: "
                + redirect + "\nforwards:\n";
    }

    private static String httpSite(String name, String host, int port, String extra) {
        return "  - { name: " + name + ", kind: http, host: \"" + host + "\", target: 127.0.0.1:" + port + extra
                + " }\n";
    }

    private Processes.Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("curl"), "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        return Processes.run(LIMIT, cmd);
    }

    private String resolve(String name) {
        return name + ":" + https + ":127.0.0.1";
    }

    @Test
    void threeSitesByHostAndByServerNameWithAWildcardThatLosesToAnExactName() throws Exception {
        int blog = site("blog");
        int shop = site("shop");
        int any = site("any");
        try (TestGateway gw = new TestGateway(routing(false)
                + httpSite("blog", "blog.test", blog, "")
                + httpSite("shop", "shop.apps.test", shop, "")
                + httpSite("apps", "*.apps.test", any, ""))) {
            // Plain HTTP by Host; the visitor's own claims about its address are not passed on.
            Processes.Result plain = curl(
                    "-H",
                    "Host: blog.test",
                    "-H",
                    "X-Forwarded-For: 203.0.113.9",
                    "http://127.0.0.1:" + http + "/a?b=c");
            assertThat(plain.out())
                    .as(plain.stderr())
                    .startsWith("site blog\npath=/a?b=c\n")
                    .contains("xff=127.0.0.1\n", "proto=http\n", "xfh=blog.test\n", "host=blog.test\n")
                    .contains("fwd=for=127.0.0.1:")
                    .doesNotContain("203.0.113.9");

            // TLS by server name, each with its own certificate, over HTTP/2 when curl offers it.
            for (String[] c : new String[][] {
                {"blog.test", "site blog"}, {"shop.apps.test", "site shop"}, {"cart.apps.test", "site any"}
            }) {
                Processes.Result r = curl(
                        "-k",
                        "-v",
                        "--resolve",
                        resolve(c[0]),
                        "-w",
                        "\nhttp=%{http_version}",
                        "https://" + c[0] + ":" + https + "/");
                assertThat(r.out()).as(r.stderr()).startsWith(c[1] + "\n").contains("proto=https\n", "http=2");
                assertThat(r.stderr())
                        .containsIgnoringCase(
                                "subject: CN=portgate " + (c[0].equals("cart.apps.test") ? "*.apps.test" : c[0]));
            }
            // HTTP/1.1 when that is all the client speaks; two requests on one connection.
            Processes.Result twice = curl(
                    "-k",
                    "-v",
                    "--http1.1",
                    "--resolve",
                    resolve("blog.test"),
                    "https://blog.test:" + https + "/one",
                    "https://blog.test:" + https + "/two");
            assertThat(twice.out()).as(twice.stderr()).contains("path=/one\n", "path=/two\n");
            assertThat(twice.stderr()).contains("Re-using existing connection");

            // A name no site holds: portgate's own 404, naming no site.
            Processes.Result unknown =
                    curl("-H", "Host: nothing.test", "-w", "%{http_code}", "http://127.0.0.1:" + http + "/");
            assertThat(unknown.out()).endsWith("404").doesNotContain("blog", "shop");
            Processes.Result unknownTls = curl(
                    "-k",
                    "--resolve",
                    resolve("deep.shop.apps.test"),
                    "-w",
                    "%{http_code}",
                    "https://deep.shop.apps.test:" + https + "/");
            assertThat(unknownTls.out()).as("a wildcard covers one label").endsWith("404");
            assertThat(gw.stats("blog").connectionsTotal()).isPositive();
        }
    }

    @Test
    void uploadsAndDownloadsOfSeveralMegabytesArriveIntactOverHttp1AndHttp2() throws Exception {
        byte[] download = new byte[5 * 1024 * 1024];
        new Random(18).nextBytes(download);
        HttpServer files = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        files.createContext("/upload", ex -> {
            // The body's digest, after the whole of it arrived (curl sends "Expect: 100-continue" first).
            byte[] body = ex.getRequestBody().readAllBytes();
            byte[] digest = HexFormat.of().formatHex(sha256(body)).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, digest.length);
            ex.getResponseBody().write(digest);
            ex.close();
        });
        files.createContext("/download", ex -> {
            ex.sendResponseHeaders(200, download.length);
            ex.getResponseBody().write(download);
            ex.close();
        });
        files.start();
        backends.add(files);
        byte[] upload = new byte[3 * 1024 * 1024 + 17];
        new Random(19).nextBytes(upload);
        Path up = dir.resolve("up");
        Files.write(up, upload);
        String sent = HexFormat.of().formatHex(sha256(upload));
        try (TestGateway gw = new TestGateway(routing(false)
                + httpSite("files", "files.test", files.getAddress().getPort(), ""))) {
            for (String url : List.of("http://files.test:" + http, "https://files.test:" + https)) {
                List<String> via = List.of(
                        "-k", "--resolve", "files.test:" + http + ":127.0.0.1", "--resolve", resolve("files.test"));
                List<String> post = new ArrayList<>(via);
                post.addAll(List.of("--data-binary", "@" + up, url + "/upload"));
                Processes.Result posted = curl(post.toArray(String[]::new));
                assertThat(posted.out()).as(url + ": " + posted.stderr()).isEqualTo(sent);
                Path got = dir.resolve("got");
                List<String> get = new ArrayList<>(via);
                // Two downloads on one connection: the connection to the target is kept between them.
                get.addAll(List.of("-o", got.toString(), url + "/download", "-o", got + "2", url + "/download"));
                Processes.Result pulled = curl(get.toArray(String[]::new));
                assertThat(pulled.exit()).as(pulled.stderr()).isZero();
                assertThat(sha256(Files.readAllBytes(got))).isEqualTo(sha256(download));
                assertThat(sha256(Files.readAllBytes(Path.of(got + "2")))).isEqualTo(sha256(download));
            }
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aRequestHeadThatTricklesInIsAnswered408WhenItsTimeIsUp() throws Exception {
        int blog = site("blog");
        String yaml = routing(false).replace("\nforwards:", "\n  header-timeout: 1s\nforwards:")
                + httpSite("blog", "blog.test", blog, "");
        try (TestGateway gw = new TestGateway(yaml);
                Socket slow = new Socket("127.0.0.1", http)) {
            slow.setSoTimeout(10_000);
            OutputStream out = slow.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: blog.test\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // A header line every 200 ms keeps the connection busy, never idle; the head is never finished.
            InputStream in = slow.getInputStream();
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    return "read failed: " + e;
                }
            });
            for (int i = 0; i < 50 && !answer.isDone(); i++) {
                try {
                    out.write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                try {
                    answer.get(200, TimeUnit.MILLISECONDS);
                } catch (TimeoutException notYet) {
                    // keep trickling
                }
            }
            assertThat(answer.get(10, TimeUnit.SECONDS)).startsWith("HTTP/1.1 408");
            // The site itself was never asked, and other visitors are served.
            assertThat(curl("-H", "Host: blog.test", "http://127.0.0.1:" + http + "/")
                            .out())
                    .startsWith("site blog");
        }
    }

    /**
     * A keep-alive backend that answers each request with the number of its connection and of the request on it;
     * with {@code hangUp} it closes each connection after one answer, without saying so (as an idle timeout does).
     */
    private static final class CountingBackend implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger accepted = new AtomicInteger();

        CountingBackend(boolean hangUp) throws IOException {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        int n = accepted.incrementAndGet();
                        Thread serve = new Thread(() -> serve(s, n, hangUp));
                        serve.setDaemon(true);
                        serve.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private static void serve(Socket s, int n, boolean hangUp) {
            try (s) {
                s.setSoTimeout(20_000);
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                for (int req = 1; ; req++) {
                    String line = in.readLine();
                    if (line == null) {
                        return;
                    }
                    while (line != null && !line.isEmpty()) {
                        line = in.readLine();
                    }
                    byte[] body = ("conn " + n + " req " + req + "\n").getBytes(StandardCharsets.US_ASCII);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    if (hangUp) {
                        return;
                    }
                }
            } catch (IOException gone) {
                // the gateway closed it
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void aVisitorsTargetConnectionServesTheNextVisitorAndOneTheTargetClosedIsNeverUsed() throws Exception {
        try (CountingBackend keeps = new CountingBackend(false);
                CountingBackend hangsUp = new CountingBackend(true);
                TestGateway gw = new TestGateway(routing(false)
                        + httpSite("keeps", "keeps.test", keeps.port(), "")
                        + httpSite("hangs", "hangs.test", hangsUp.port(), ""))) {
            // Each curl is a new visitor connection; the target connection outlives it and serves the next visitor
            // on the same event loop (the gateway has two here, and new visitors take turns between them).
            List<String> answers = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                answers.add(curl("-H", "Host: keeps.test", "http://127.0.0.1:" + http + "/")
                        .out());
            }
            assertThat(answers)
                    .allMatch(a -> a.matches("conn [12] req [1-6]\n"))
                    .contains("conn 1 req 2\n");
            assertThat(keeps.accepted.get())
                    .as("connections the target accepted for 6 visitors")
                    .isLessThanOrEqualTo(2);
            // A target that closes its side after each answer: every visitor still gets an answer, never a 502.
            for (int i = 1; i <= 5; i++) {
                assertThat(curl("-H", "Host: hangs.test", "http://127.0.0.1:" + http + "/")
                                .out())
                        .matches("conn \\d+ req 1\n");
            }
            assertThat(hangsUp.accepted.get()).isGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void aPassthroughSiteWithProxyProtocolTellsItsTargetTheVisitorFirst() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
                try (Socket s = target.accept()) {
                    s.setSoTimeout(10_000);
                    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                            .readLine();
                } catch (IOException e) {
                    return "accept failed: " + e;
                }
            });
            String yaml = routing(false)
                    + httpSite("nas", "nas.test", target.getLocalPort(), ", tls: passthrough, proxy-protocol: v1");
            try (TestGateway gw = new TestGateway(yaml)) {
                // curl's handshake fails (the target here speaks no TLS); what matters is what the target read first.
                curl("-k", "--max-time", "5", "--resolve", resolve("nas.test"), "https://nas.test:" + https + "/");
                assertThat(firstLine.get(10, TimeUnit.SECONDS))
                        .matches("PROXY TCP4 127\\.0\\.0\\.1 127\\.0\\.0\\.1 \\d+ " + https);
            }
        }
    }

    @Test
    void passthroughShowsTheTargetsOwnCertificate() throws Exception {
        TestCa ca = TestCa.in(dir);
        ca.issue("nas", "subjectAltName=DNS:nas.test");
        int target = Net.freeTcpPort();
        Process server = new ProcessBuilder(
                        Peers.require("openssl"),
                        "s_server",
                        "-accept",
                        "127.0.0.1:" + target,
                        "-cert",
                        "nas.pem",
                        "-key",
                        "nas.key",
                        "-www")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        int web = site("web");
        try (TestGateway gw = new TestGateway(routing(false)
                + httpSite("nas", "nas.test", target, ", tls: passthrough")
                + httpSite("web", "web.test", web, ""))) {
            Processes.Result r = curl(
                    "--cacert",
                    ca.certificate().toString(),
                    "--resolve",
                    resolve("nas.test"),
                    "https://nas.test:" + https + "/");
            // curl verified the chain to the test CA: the certificate is the target's, not portgate's.
            assertThat(r.exit()).as(r.stderr()).isZero();
            assertThat(r.out()).contains("s_server", "TLSv1.3");
            Processes.Result other = curl("-k", "--resolve", resolve("web.test"), "https://web.test:" + https + "/");
            assertThat(other.out()).as(other.stderr()).startsWith("site web\n");
            assertThat(gw.stats("nas").connectionsTotal()).isPositive();
        } finally {
            Processes.stop(server);
        }
    }

    @Test
    void aWebSocketAndServerSentEventsPassThroughAsTheyCome() throws Exception {
        try (WebSocketEcho echo = new WebSocketEcho()) {
            CountDownLatch secondEvent = new CountDownLatch(1);
            HttpServer events = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            events.createContext("/events", ex -> {
                ex.getResponseHeaders().set("Content-Type", "text/event-stream");
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                out.write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                try {
                    // The second event is sent only once the visitor has seen the first.
                    secondEvent.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out.write("data: two\n\n".getBytes(StandardCharsets.UTF_8));
                ex.close();
            });
            events.start();
            backends.add(events);
            try (TestGateway gw = new TestGateway(routing(false)
                    + httpSite("ws", "ws.test", echo.port(), "")
                    + httpSite("sse", "sse.test", events.getAddress().getPort(), ""))) {
                try (Socket s = new Socket("127.0.0.1", http)) {
                    s.setSoTimeout(20_000);
                    OutputStream out = s.getOutputStream();
                    out.write(("GET /echo HTTP/1.1\r\nHost: ws.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    String head = readHead(s.getInputStream()).toLowerCase(Locale.ROOT);
                    assertThat(head)
                            .startsWith("http/1.1 101")
                            .contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=");
                    for (String text : List.of("hello through portgate", "and again")) {
                        out.write(WebSocketEcho.maskedText(text));
                        assertThat(WebSocketEcho.readText(s.getInputStream())).isEqualTo(text);
                    }
                }

                Process curl = new ProcessBuilder(
                                Peers.require("curl"),
                                "-sS",
                                "-N",
                                "-k",
                                "--max-time",
                                "30",
                                "--resolve",
                                resolve("sse.test"),
                                "https://sse.test:" + https + "/events")
                        .redirectErrorStream(true)
                        .start();
                try {
                    BufferedReader lines =
                            new BufferedReader(new InputStreamReader(curl.getInputStream(), StandardCharsets.UTF_8));
                    String first =
                            CompletableFuture.supplyAsync(() -> readLine(lines)).get(15, TimeUnit.SECONDS);
                    assertThat(first)
                            .as("the first event arrives while the stream is open")
                            .isEqualTo("data: one");
                    secondEvent.countDown();
                    assertThat(readLine(lines)).isEmpty();
                    assertThat(readLine(lines)).isEqualTo("data: two");
                } finally {
                    Processes.stop(curl);
                }
            }
        }
    }

    @Test
    void badAndOddRequestsGetClearAnswersAndDisturbNothing() throws Exception {
        int blog = site("blog");
        int books = site("books");
        int other = site("other");
        try (TestGateway gw = new TestGateway(routing(false)
                + httpSite("blog", "blog.test", blog, "")
                + httpSite("books", "bücher.test", books, "")
                + httpSite("other", "other.test", other, ""))) {
            String url = "http://127.0.0.1:" + http + "/";
            // Port, case and a trailing dot do not change the name; an IDN is matched in its xn-- form.
            for (String host : List.of("blog.test:" + http, "BLOG.Test", "blog.test.")) {
                assertThat(curl("-H", "Host: " + host, url).out()).as(host).startsWith("site blog\n");
            }
            assertThat(curl("-H", "Host: xn--bcher-kva.test", url).out()).startsWith("site books\n");

            Processes.Result noHost = curl("-H", "Host:", "-w", "\n%{http_code}", url);
            assertThat(noHost.out()).endsWith("400").contains("Host header");
            Processes.Result badHost = curl("-H", "Host: bad_name!.test", "-w", "\n%{http_code}", url);
            assertThat(badHost.out()).endsWith("400");
            Processes.Result huge =
                    curl("-H", "Host: blog.test", "-H", "X-Big: " + "a".repeat(20_000), "-w", "\n%{http_code}", url);
            assertThat(huge.out()).endsWith("431");

            // A connection opened for one site cannot be used for another.
            Processes.Result fronted = curl(
                    "-k",
                    "--resolve",
                    resolve("blog.test"),
                    "-H",
                    "Host: other.test",
                    "-w",
                    "\n%{http_code}",
                    "https://blog.test:" + https + "/");
            assertThat(fronted.out()).endsWith("421");
            // A client that names no server gets the default certificate and is routed by its Host.
            Processes.Result noSni = curl("-k", "-H", "Host: other.test", "https://127.0.0.1:" + https + "/");
            assertThat(noSni.out()).as(noSni.stderr()).startsWith("site other\n");

            // Garbage on the https port and on the http port: closed, and the sites go on.
            for (int port : List.of(https, http)) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, '\r', '\n'});
                    s.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(s.getInputStream().readAllBytes().length).isLessThan(2048);
                }
            }
            assertThat(curl("-H", "Host: blog.test", url).out()).startsWith("site blog\n");
        }
    }

    @Test
    void plainRequestsAreSentToHttpsAndAllowListsAndDeadTargetsAnswerForThemselves() throws Exception {
        int blog = site("blog");
        int closed = Net.freeTcpPort();
        try (TestGateway gw = new TestGateway(routing(true)
                + httpSite("blog", "blog.test", blog, "")
                + httpSite("private", "private.test", blog, ", allow: [10.0.0.0/8]")
                + httpSite("gone", "gone.test", closed, ""))) {
            Processes.Result moved = curl(
                    "-H",
                    "Host: blog.test",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code} %{redirect_url}",
                    "http://127.0.0.1:" + http + "/p?q=1");
            assertThat(moved.out()).isEqualTo("308 https://blog.test:" + https + "/p?q=1");
            Processes.Result followed = curl(
                    "-k",
                    "-L",
                    "--resolve",
                    resolve("blog.test"),
                    "-H",
                    "Host: blog.test",
                    "http://127.0.0.1:" + http + "/p");
            assertThat(followed.out()).as(followed.stderr()).startsWith("site blog\npath=/p\n");

            Processes.Result denied = curl(
                    "-k",
                    "--resolve",
                    resolve("private.test"),
                    "-w",
                    "\n%{http_code}",
                    "https://private.test:" + https + "/");
            assertThat(denied.out()).endsWith("403").doesNotContain("site blog");
            assertThat(gw.stats("private").refused()).isPositive();

            Processes.Result dead = curl(
                    "-k",
                    "--resolve",
                    resolve("gone.test"),
                    "-w",
                    "\n%{http_code}",
                    "https://gone.test:" + https + "/");
            assertThat(dead.out()).endsWith("502").contains("cannot be reached");
        }
    }

    @Test
    void aSiteBehindTheLoginWallServesOnlySignedInVisitors() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        HttpServer wiki = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        wiki.createContext("/", ex -> {
            hits.incrementAndGet();
            byte[] body = ("wiki page " + ex.getRequestURI() + "\nuser="
                            + ex.getRequestHeaders().getFirst("X-Forwarded-User") + "\ncookie="
                            + ex.getRequestHeaders().getFirst("Cookie") + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        wiki.start();
        backends.add(wiki);
        int open = site("open");
        int port = wiki.getAddress().getPort();
        try (TestGateway gw = new TestGateway(routing(false)
                + httpSite("wiki", "wiki.test", port, ", access: login")
                + httpSite("notes", "notes.test", port, ", access: login")
                + httpSite("open", "open.test", open, ""))) {
            gw.gateway().accounts().setPassword("alice", Accounts.DOOR, PasswordHash.hash("s3cret-door".toCharArray()));
            String wikiUrl = "https://wiki.test:" + https;
            String[] wikiTls = {"-k", "--resolve", resolve("wiki.test")};

            Processes.Result wall = curl(cat(wikiTls, "-w", "\n%{http_code}", wikiUrl + "/page?x=1"));
            assertThat(wall.out()).endsWith("401").contains("Sign in", "name=\"password\"", "/page?x=1");
            Processes.Result wrong = curl(cat(
                    wikiTls,
                    "-w",
                    "\n%{http_code}",
                    "--data-urlencode",
                    "user=alice",
                    "--data-urlencode",
                    "password=guess",
                    "--data-urlencode",
                    "return=/page",
                    wikiUrl + "/.portgate/login"));
            assertThat(wrong.out()).endsWith("401").contains("Wrong name or password.");
            assertThat(hits.get()).as("the site saw nothing yet").isZero();

            Path jar = dir.resolve("cookies");
            Processes.Result signIn = curl(cat(
                    wikiTls,
                    "-c",
                    jar.toString(),
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code} %{redirect_url}",
                    "--data-urlencode",
                    "user=alice",
                    "--data-urlencode",
                    "password=s3cret-door",
                    "--data-urlencode",
                    "return=/page?x=1",
                    wikiUrl + "/.portgate/login"));
            assertThat(signIn.out()).isEqualTo("303 " + wikiUrl + "/page?x=1");
            assertThat(Files.readString(jar)).contains("#HttpOnly_wiki.test", "TRUE", SiteLogins.COOKIE);

            Processes.Result in =
                    curl(cat(wikiTls, "-b", jar.toString(), "-H", "Cookie: theme=dark", wikiUrl + "/page"));
            assertThat(in.out())
                    .as(in.stderr())
                    .startsWith("wiki page /page\nuser=alice\n")
                    .contains("theme=dark")
                    .doesNotContain(SiteLogins.COOKIE);

            // The session is for wiki.test only; a visitor cannot name itself to the site; signing out ends it.
            String token = Files.readString(jar)
                    .lines()
                    .filter(l -> l.contains(SiteLogins.COOKIE))
                    .map(l -> l.substring(l.lastIndexOf('\t') + 1))
                    .findFirst()
                    .orElseThrow();
            Processes.Result elsewhere = curl(
                    "-k",
                    "--resolve",
                    resolve("notes.test"),
                    "-H",
                    "Cookie: " + SiteLogins.COOKIE + "=" + token,
                    "-w",
                    "\n%{http_code}",
                    "https://notes.test:" + https + "/");
            assertThat(elsewhere.out()).endsWith("401");
            Processes.Result spoof = curl(
                    "-k",
                    "--resolve",
                    resolve("open.test"),
                    "-H",
                    "X-Forwarded-User: root",
                    "https://open.test:" + https + "/");
            assertThat(spoof.out()).startsWith("site open\n");
            assertThat(curl(cat(wikiTls, "-b", jar.toString(), "-o", "/dev/null", wikiUrl + "/.portgate/logout"))
                            .exit())
                    .isZero();
            assertThat(curl(cat(
                                    wikiTls,
                                    "-H",
                                    "Cookie: " + SiteLogins.COOKIE + "=" + token,
                                    "-w",
                                    "\n%{http_code}",
                                    wikiUrl + "/page"))
                            .out())
                    .endsWith("401");
            // Plain http never carries the password.
            Processes.Result plain =
                    curl("-H", "Host: wiki.test", "-w", "\n%{http_code}", "http://127.0.0.1:" + http + "/");
            assertThat(plain.out()).endsWith("403").contains("https only");
            assertThat(gw.gateway().audit().list(50, 0).stream().map(e -> e.action()))
                    .contains("site.login", "site.login-failed");
        }
    }

    private static String[] cat(String[] first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static String readLine(BufferedReader r) {
        try {
            return r.readLine();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
