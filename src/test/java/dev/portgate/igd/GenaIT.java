package dev.portgate.igd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.testing.Net;
import dev.portgate.testing.TcpPeers;
import dev.portgate.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * UPnP eventing against subscribers whose callbacks misbehave: the gateway's descriptors stay flat,
 * the misbehaving subscribers are dropped, and a well-behaved one keeps getting its events.
 */
class GenaIT {

    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final String IP = "urn:schemas-upnp-org:service:WANIPConnection:2";

    /** Reads one HTTP request head and its body (Content-Length), or what there is before the peer closes. */
    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void garbage(Socket s, TcpPeers self) {
        try (s;
                OutputStream out = s.getOutputStream()) {
            readRequest(s.getInputStream());
            out.write("hello\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException ignored) {
            // the gateway went away first
        }
    }

    private static void echo(Socket s, TcpPeers self) {
        try (s;
                OutputStream out = s.getOutputStream()) {
            out.write(readRequest(s.getInputStream()).getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the gateway went away first
        }
    }

    /** Never answers; ends when the gateway gives up. */
    private static void silence(Socket s, TcpPeers self) {
        try (s;
                InputStream in = s.getInputStream()) {
            s.setSoTimeout(30_000);
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the gateway went away, or 30 s passed
        }
    }

    /** A byte of a status line every 200 ms, for at most 30 s. */
    private static void drip(Socket s, TcpPeers self) {
        try (s;
                OutputStream out = s.getOutputStream()) {
            readRequest(s.getInputStream());
            byte[] line = "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 150; i++) {
                out.write(line[i % line.length]);
                out.flush();
                Thread.sleep(200);
            }
        } catch (IOException ignored) {
            // the gateway closed: what we want
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reset(Socket s, TcpPeers self) {
        try (s) {
            readRequest(s.getInputStream());
            s.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // reset is the point
        }
    }

    private static long descriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static HttpResponse<String> subscribe(HttpClient client, int http, int callbackPort) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/evt/IPConn"))
                        .method("SUBSCRIBE", HttpRequest.BodyPublishers.noBody())
                        .header("CALLBACK", "<http://127.0.0.1:" + callbackPort + "/events>")
                        .header("NT", "upnp:event")
                        .header("TIMEOUT", "Second-600")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void soap(HttpClient client, int http, String action, String args) throws Exception {
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/ctl/IPConn"))
                        .header("SOAPAction", "\"" + IP + "#" + action + "\"")
                        .POST(HttpRequest.BodyPublishers.ofString(IgdIT.envelope(action, args)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(action + ": " + r.body()).isEqualTo(200);
    }

    @Test
    void callbacksThatAnswerGarbageSilenceADripOrAResetCostNoDescriptorsAndAreDropped() throws Exception {
        assertThat(Path.of("/proc/self/fd"))
                .as("this test counts descriptors in /proc (Linux)")
                .isDirectory();
        int http = Net.freeTcpPort();
        List<String> delivered = new CopyOnWriteArrayList<>();
        try (TcpPeers bad = TcpPeers.start(GenaIT::garbage);
                TcpPeers echoing = TcpPeers.start(GenaIT::echo);
                TcpPeers silent = TcpPeers.start(GenaIT::silence);
                TcpPeers dripping = TcpPeers.start(GenaIT::drip);
                TcpPeers resetting = TcpPeers.start(GenaIT::reset);
                TcpPeers good = TcpPeers.start((s, self) -> {
                    try (s;
                            OutputStream out = s.getOutputStream()) {
                        delivered.add(readRequest(s.getInputStream()));
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException ignored) {
                        // counted by what arrived
                    }
                });
                TestGateway gw = new TestGateway(
                        "igd:\n  lan: [ 127.0.0.1 ]\n  external-address: 203.0.113.7\n  listen: 127.0.0.1\n"
                                + "  http-port: " + http + "\n  nat-pmp: false\n  pcp: false\n")) {
            HttpClient client = HttpClient.newHttpClient();
            long before = descriptors();
            int misbehaving = 0;
            for (TcpPeers callback : List.of(bad, echoing, silent, dripping, resetting)) {
                for (int i = 0; i < 12; i++) {
                    assertThat(subscribe(client, http, callback.port()).statusCode())
                            .isEqualTo(200);
                    misbehaving++;
                }
            }
            String goodSid = subscribe(client, http, good.port())
                    .headers()
                    .firstValue("SID")
                    .orElseThrow();
            int port = Net.freeTcpPort();
            IgdStats stats = gw.gateway().igd().stats();
            int dropped = misbehaving;
            // Mapping changes, each an event to every subscriber, until every misbehaving subscriber has failed enough
            // to go.
            await().atMost(LIMIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                soap(
                        client,
                        http,
                        "AddPortMapping",
                        "<NewRemoteHost></NewRemoteHost><NewExternalPort>" + port + "</NewExternalPort>"
                                + "<NewProtocol>TCP</NewProtocol><NewInternalPort>6000</NewInternalPort><NewInternalClient>127.0.0.1</NewInternalClient>"
                                + "<NewEnabled>1</NewEnabled><NewPortMappingDescription>x</NewPortMappingDescription><NewLeaseDuration>0</NewLeaseDuration>");
                soap(
                        client,
                        http,
                        "DeletePortMapping",
                        "<NewRemoteHost></NewRemoteHost><NewExternalPort>" + port + "</NewExternalPort>"
                                + "<NewProtocol>TCP</NewProtocol>");
                return stats.get("upnp", "subscriber-dropped") == dropped;
            });
            // Every connection to a callback is closed by now: the descriptors are where they were.
            await().atMost(LIMIT).untilAsserted(() -> assertThat(descriptors()).isLessThanOrEqualTo(before + 20));
            // The subscriber that answers 200 keeps its subscription and sees the last state: no mapping.
            await().atMost(LIMIT)
                    .until(() -> !delivered.isEmpty()
                            && delivered.get(delivered.size() - 1).contains("SID: " + goodSid)
                            && delivered
                                    .get(delivered.size() - 1)
                                    .contains("<PortMappingNumberOfEntries>0</PortMappingNumberOfEntries>"));
            HttpResponse<String> renewed = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/evt/IPConn"))
                            .method("SUBSCRIBE", HttpRequest.BodyPublishers.noBody())
                            .header("SID", goodSid)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(renewed.statusCode()).isEqualTo(200);
        }
    }
}
