package dev.portgate.igd;

import dev.portgate.forward.Addresses;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GENA eventing for the two services: SUBSCRIBE, renewal and UNSUBSCRIBE, an initial event with the
 * evented variables, and an event whenever the number of mappings changes. A callback must point at
 * the subscriber's own address (CallStranger, CVE-2020-12695): anything else gets 412. Each
 * subscriber has at most one event in flight, on a connection that ends by a deadline whatever the
 * callback answers; a subscriber whose callback fails {@value #MAX_FAILURES} times in a row is dropped.
 */
final class Gena implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gena.class);
    private static final int MAX_SUBSCRIPTIONS = 256;
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    static final int MAX_FAILURES = 3;

    private record Subscription(String sid, URI callback, String path, Instant expires, Subscriber events) {}

    /** A subscriber's event state, kept across renewals: the next SEQ, the one event in flight, failures in a row. */
    private static final class Subscriber {
        private long seq;
        private boolean inFlight;
        private boolean pending;
        private int failures;
    }

    private final IgdService igd;
    private final EventDelivery delivery;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private volatile int lastCount = -1;

    Gena(IgdService igd, EventDelivery delivery) {
        this.igd = igd;
        this.delivery = delivery;
    }

    FullHttpResponse handle(FullHttpRequest request, InetAddress peer, String path) {
        if (!path.equals(Descriptions.IP_EVENTS) && !path.equals(Descriptions.CIF_EVENTS)) {
            return UpnpServer.text(HttpResponseStatus.NOT_FOUND, "text/plain", "no such event URL\n");
        }
        String sid = request.headers().get("SID");
        String callback = request.headers().get("CALLBACK");
        String nt = request.headers().get("NT");
        expire();
        if (request.method().name().equals("UNSUBSCRIBE")) {
            if (sid == null || subscriptions.remove(sid) == null) {
                return failed("no such subscription");
            }
            return UpnpServer.text(HttpResponseStatus.OK, "text/plain", "");
        }
        Duration timeout = timeout(request.headers().get("TIMEOUT"));
        if (sid != null) {
            if (callback != null || nt != null) {
                return UpnpServer.text(
                        HttpResponseStatus.BAD_REQUEST,
                        "text/plain",
                        "a renewal carries SID only, no CALLBACK or NT\n");
            }
            Subscription s = subscriptions.get(sid);
            if (s == null) {
                return failed("no such subscription");
            }
            subscriptions.put(
                    sid,
                    new Subscription(sid, s.callback(), s.path(), Instant.now().plus(timeout), s.events()));
            return accepted(sid, timeout);
        }
        if (!"upnp:event".equals(nt) || callback == null) {
            return failed("NT: upnp:event and a CALLBACK are required");
        }
        URI uri = callbackUri(callback);
        InetAddress target = uri == null ? null : Addresses.literal(uri.getHost());
        if (target == null || !Addresses.unmap(target).equals(peer)) {
            igd.stats().count("upnp", "callback-refused");
            log.info(
                    "UPnP: subscription from {} with callback {} refused: a callback must be the subscriber's own address",
                    peer.getHostAddress(),
                    callback);
            return failed("the callback must be an http URL on your own address");
        }
        if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
            return UpnpServer.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain", "too many subscriptions\n");
        }
        String newSid = "uuid:" + UUID.randomUUID();
        Subscription s = new Subscription(newSid, uri, path, Instant.now().plus(timeout), new Subscriber());
        subscriptions.put(newSid, s);
        // The initial event goes out after the response, as the spec orders.
        igd.submit(() -> {
            notify(s);
            return null;
        });
        return accepted(newSid, timeout);
    }

    /** Sends the mapping count to IP-service subscribers when it changed. */
    void changed() {
        int count = igd.leases().count();
        if (count == lastCount) {
            return;
        }
        lastCount = count;
        expire();
        for (Subscription s : List.copyOf(subscriptions.values())) {
            if (s.path().equals(Descriptions.IP_EVENTS)) {
                notify(s);
            }
        }
    }

    /** Sends the current state now, or once the event in flight is done (events carry state, so only the latest matters). */
    private void notify(Subscription s) {
        Subscriber events = s.events();
        long seq;
        synchronized (events) {
            if (events.inFlight) {
                events.pending = true;
                return;
            }
            events.inFlight = true;
            seq = events.seq++;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "text/xml; charset=\"utf-8\"");
        headers.put("NT", "upnp:event");
        headers.put("NTS", "upnp:propchange");
        headers.put("SID", s.sid());
        headers.put("SEQ", String.valueOf(seq));
        // The outcome is handled on the igd worker: building an event reads the lease book, which an event loop must
        // not wait for.
        delivery.send(s.callback(), headers, body(s.path()))
                .thenAccept(ok -> igd.submit(() -> {
                    delivered(s, ok);
                    return null;
                }));
    }

    private void delivered(Subscription s, boolean ok) {
        Subscriber events = s.events();
        boolean again;
        int failures;
        synchronized (events) {
            events.inFlight = false;
            events.failures = ok ? 0 : events.failures + 1;
            failures = events.failures;
            again = events.pending;
            events.pending = false;
        }
        if (!ok) {
            igd.stats().count("upnp", "event-failed");
            log.debug("UPnP event to {} not delivered", s.callback());
        }
        if (failures >= MAX_FAILURES) {
            if (subscriptions.remove(s.sid()) != null) {
                igd.stats().count("upnp", "subscriber-dropped");
                log.info(
                        "UPnP: subscription {} dropped: its callback {} failed {} events in a row",
                        s.sid(),
                        s.callback(),
                        MAX_FAILURES);
            }
            return;
        }
        Subscription current = subscriptions.get(s.sid());
        if (again && current != null) {
            notify(current);
        }
    }

    private String body(String path) {
        List<String[]> vars = new ArrayList<>();
        if (path.equals(Descriptions.IP_EVENTS)) {
            InetAddress external = igd.externalAddress();
            vars.add(new String[] {
                "PortMappingNumberOfEntries", String.valueOf(igd.leases().count())
            });
            vars.add(new String[] {"ExternalIPAddress", external == null ? "" : external.getHostAddress()});
            vars.add(new String[] {"ConnectionStatus", external == null ? "Disconnected" : "Connected"});
        } else {
            vars.add(new String[] {"PhysicalLinkStatus", "Up"});
        }
        StringBuilder body = new StringBuilder(
                "<?xml version=\"1.0\"?>\r\n<e:propertyset xmlns:e=\"urn:schemas-upnp-org:event-1-0\">");
        for (String[] v : vars) {
            body.append("<e:property><")
                    .append(v[0])
                    .append('>')
                    .append(Soap.escape(v[1]))
                    .append("</")
                    .append(v[0])
                    .append("></e:property>");
        }
        body.append("</e:propertyset>\r\n");
        return body.toString();
    }

    private void expire() {
        Instant now = Instant.now();
        subscriptions.values().removeIf(s -> s.expires().isBefore(now));
    }

    static URI callbackUri(String header) {
        String h = header.strip();
        int start = h.indexOf('<');
        int end = h.indexOf('>', start + 1);
        if (start < 0 || end < 0) {
            return null;
        }
        try {
            URI u = URI.create(h.substring(start + 1, end));
            return "http".equals(u.getScheme()) && u.getHost() != null ? u : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static Duration timeout(String header) {
        if (header != null && header.startsWith("Second-")) {
            try {
                long s = Long.parseLong(header.substring(7).strip());
                return Duration.ofSeconds(Math.max(60, Math.min(s, 86400)));
            } catch (NumberFormatException e) {
                return DEFAULT_TIMEOUT;
            }
        }
        return DEFAULT_TIMEOUT;
    }

    private static FullHttpResponse accepted(String sid, Duration timeout) {
        FullHttpResponse r = UpnpServer.text(HttpResponseStatus.OK, "text/plain", "");
        r.headers().set("SID", sid).set("TIMEOUT", "Second-" + timeout.toSeconds());
        return r;
    }

    private static FullHttpResponse failed(String why) {
        return UpnpServer.text(HttpResponseStatus.PRECONDITION_FAILED, "text/plain", why + "\n");
    }

    @Override
    public void close() {
        subscriptions.clear();
    }
}
