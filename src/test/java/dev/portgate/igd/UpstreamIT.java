package dev.portgate.igd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.forward.Protocol;
import dev.portgate.testing.Net;
import dev.portgate.testing.TestGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The upstream client against portgate's own IGD, NAT-PMP and PCP server as "the router above"
 * (on 127.0.0.2): it maps, renews, maps again after the router restarts, and unmaps on shutdown.
 */
class UpstreamIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    private static String router(int http) {
        return "igd:\n  lan: [ 127.0.0.2 ]\n  listen: 127.0.0.2\n  external-address: 203.0.113.9\n  http-port: " + http
                + "\n  lease: { min: 1s, max: 4s }\n";
    }

    private static Optional<Lease> leaseFor(TestGateway router, int internalPort) {
        return router.gateway().igd().leases().list().stream()
                .filter(l -> l.protocol() == Protocol.TCP
                        && l.internalPort() == internalPort
                        && l.device().getHostAddress().equals("127.0.0.1"))
                .findFirst();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nat-pmp", "pcp", "upnp"})
    void mapsRenewsRemapsAfterARouterRestartAndUnmapsOnShutdown(String method) throws Exception {
        int http = Net.freeTcpPort();
        int port = Net.freeTcpPort();
        String how = method.equals("upnp")
                ? "  url: http://127.0.0.2:" + http + "/rootDesc.xml\n"
                : "  gateway: 127.0.0.2\n";
        String client = "forwards:\n  - name: web\n    listen: 127.0.0.1:" + port + "\n    target: 127.0.0.1:9\n"
                + "upstream:\n  map: [ web ]\n  method: " + method + "\n" + how
                + "  lifetime: 60s\n  check-interval: 1s\n";
        TestGateway[] routers = {new TestGateway(router(http))};
        try (TestGateway gw = new TestGateway(client)) {
            TestGateway router = routers[0];
            // Found by its internal port: the router gives another external port when that one is taken on its side
            // (an ephemeral port of some other test's connection, once in a CI run).
            Lease first = await().atMost(LIMIT)
                    .until(() -> leaseFor(router, port), Optional::isPresent)
                    .get();
            assertThat(first.device().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(first.internalPort()).isEqualTo(port);
            assertThat(first.description()).contains(method.equals("upnp") ? "portgate web" : "");
            // The router grants 4 s at most: the client renews at half-time, pushing the expiry on.
            Instant firstExpiry = first.expires();
            await().atMost(LIMIT).until(() -> leaseFor(router, port)
                    .map(l -> l.expires().isAfter(firstExpiry))
                    .orElse(false));
            await().atMost(LIMIT)
                    .until(() ->
                            gw.gateway().upstream().status().externalAddress().equals("203.0.113.9"));
            assertThat(gw.gateway().igd().externalAddress().getHostAddress()).isEqualTo("203.0.113.9");

            // The router restarts with an empty store: it forgot the mapping, and the client makes it again.
            router.close();
            TestGateway restarted = new TestGateway(router(http));
            routers[0] = restarted;
            // (The external port may differ: the old router's socket may not be released yet, and the new one picks
            // another.)
            Lease again = await().atMost(LIMIT)
                    .until(
                            () -> restarted.gateway().igd().leases().list().stream()
                                    .filter(l -> l.internalPort() == port
                                            && l.device().getHostAddress().equals("127.0.0.1"))
                                    .findFirst(),
                            Optional::isPresent)
                    .get();
            await().atMost(LIMIT).until(() -> gw.gateway().upstream().status().mappings().stream()
                    .anyMatch(m -> m.state().equals("mapped") && m.externalPort() == again.externalPort()));
        } finally {
            TestGateway last = routers[0];
            // The client has shut down and deleted its mapping itself (not left it to expire).
            String by = (method.equals("nat-pmp") ? "natpmp" : method) + " 127.0.0.1";
            await().atMost(LIMIT)
                    .until(() -> last.gateway().igd().leases().list().isEmpty());
            assertThat(last.gateway().audit().list(10, Long.MAX_VALUE))
                    .filteredOn(e -> e.action().equals("forward.delete"))
                    .first()
                    .satisfies(e -> assertThat(e.actor()).isEqualTo(by));
            last.close();
        }
    }
}
