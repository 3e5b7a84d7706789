package dev.portgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Problem;
import dev.portgate.store.StoreSettings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The store:, node: and nodes: keys of a cluster, and what a user is told when one is wrong. */
class ClusterConfigTest {

    private static List<String> problems(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigFile.parse(yaml, "c.yaml"));
        return e.problems().stream().map(Problem::toString).toList();
    }

    @Test
    void aClusterConfigIsRead() throws Exception {
        GatewayConfig c = ConfigFile.parse(
                """
                store:
                  url: postgresql://portgate@db.example.net:5432/portgate
                  password-file: /etc/portgate/db.password
                node:
                  name: edge-1
                  address: 10.0.0.11:7444
                  link-transport: quic
                forwards:
                  - { name: web, listen: 0.0.0.0:8080, target: 10.0.1.5:80 }
                  - { name: cam, listen: 0.0.0.0:554,  target: 10.0.1.9:554, nodes: [edge-1] }
                  - { name: cam2, listen: 0.0.0.0:554,  target: 10.0.1.9:554, nodes: [edge-2, edge-3] }
                """,
                "c.yaml");
        assertThat(c.store())
                .isEqualTo(new StoreSettings(
                        "postgresql://portgate@db.example.net:5432/portgate", Path.of("/etc/portgate/db.password")));
        assertThat(c.node().name()).isEqualTo("edge-1");
        assertThat(c.node().address()).isEqualTo("10.0.0.11:7444");
        assertThat(c.node().linkTransport()).isEqualTo("quic");
        Forward web = c.forwards().get(0);
        Forward cam = c.forwards().get(1);
        assertThat(web.limits().nodes()).isEmpty();
        assertThat(web.limits().runsOn("edge-2")).isTrue();
        assertThat(cam.limits().nodes()).containsExactly("edge-1");
        assertThat(cam.limits().runsOn("edge-1")).isTrue();
        assertThat(cam.limits().runsOn("edge-2")).isFalse();
        // Two forwards on one port are fine when no node runs both; the nodes survive the store's JSON.
        Forward back = ForwardJson.decodeStored(ForwardJson.encodeText(cam), new Origin(Origin.Kind.API, ""));
        assertThat(back.limits().nodes()).containsExactly("edge-1");
    }

    @Test
    void withoutAStoreSectionTheStoreIsTheEmbeddedOne() throws Exception {
        GatewayConfig c = ConfigFile.parse("forwards: []\n", "c.yaml");
        assertThat(c.store().shared()).isFalse();
        assertThat(c.node()).isNull();
        assertThat(c.nodeOrDefault().name()).isNotBlank();
    }

    @Test
    void badValuesAreNamed() {
        assertThat(problems("store:\n  url: mysql://db/portgate\n"))
                .singleElement()
                .asString()
                .contains("\"mysql://db/portgate\" is not a PostgreSQL url");
        assertThat(problems("store:\n  url: postgresql://db.example.net\n"))
                .singleElement()
                .asString()
                .contains("names no database");
        assertThat(problems("store:\n  password-file: /x\n"))
                .singleElement()
                .asString()
                .contains("password-file needs a url:");
        assertThat(problems("node:\n  name: 'edge 1'\n"))
                .singleElement()
                .asString()
                .contains("\"edge 1\" is not a node name");
        assertThat(problems("node:\n  link-transport: udp\n"))
                .singleElement()
                .asString()
                .contains("\"udp\" is not a tunnel transport — use auto, quic or tcp");
        assertThat(problems("node:\n  address: 10.0.0.11\n"))
                .singleElement()
                .asString()
                .contains("\"10.0.0.11\" is not host:port");
        assertThat(problems("forwards:\n  - { name: a, listen: 8080, target: 'h:1', nodes: [ok, 'not ok'] }\n"))
                .singleElement()
                .asString()
                .contains("\"not ok\" is not a node name");
        assertThat(problems("forwards:\n  - { name: a, listen: 8080, target: 'h:1', nodes: [edge-1] }\n"
                        + "  - { name: b, listen: 8080, target: 'h:2', nodes: [edge-1, edge-2] }\n"))
                .singleElement()
                .asString()
                .contains("listen port 8080/tcp is already used by forward \"a\"");
    }

    @Test
    void theUrlIsTurnedIntoTheDriversWithoutLosingAnything() {
        StoreSettings.Target t =
                StoreSettings.parse("postgresql://edge%40x:s3cret@[fd00::5]:6432/pg_gate?sslmode=require");
        assertThat(t.jdbcUrl()).isEqualTo("jdbc:postgresql://[fd00::5]:6432/pg_gate?sslmode=require");
        assertThat(t.user()).isEqualTo("edge@x");
        assertThat(t.password()).isEqualTo("s3cret");
        assertThat(t.toString()).doesNotContain("s3cret");
        assertThat(StoreSettings.parse("jdbc:postgresql://db/portgate").jdbcUrl())
                .isEqualTo("jdbc:postgresql://db:5432/portgate");
    }

    @Test
    void aTunnelEndpointMayListSeveralServersToTryInTurn() throws Exception {
        String common = "    token-file: /dev/null\n    server-fingerprint: \"sha256:" + "ab".repeat(32) + "\"\n";
        GatewayConfig c = ConfigFile.parse(
                "tunnel-endpoints:\n  - name: cluster\n    servers: [ a.example.net, \"b.example.net:8443\", \"[fd00::7]\" ]\n"
                        + common.replace("/dev/null", "pom.xml"),
                "c.yaml");
        assertThat(c.tunnelEndpoints().get(0).servers())
                .extracting(Object::toString)
                .containsExactly("a.example.net:7443", "b.example.net:8443", "[fd00::7]:7443");
        assertThat(problems("tunnel-endpoints:\n  - name: x\n    server: a:7443\n    servers: [ b:7443 ]\n" + common))
                .anySatisfy(p -> assertThat(p).contains("or servers: [a:7443, b:7443] to try in turn — one of them"));
        assertThat(problems("tunnel-endpoints:\n  - name: x\n    servers: [ \"b:7443-7444\" ]\n" + common))
                .anySatisfy(p -> assertThat(p).contains("one port, not a range"));
    }
}
