package dev.portgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portgate.store.NodeSettings;
import dev.portgate.store.StoreSettings;

/**
 * {@link ClusterDecoder}'s {@code store:} and {@code node:} sections, a forward's {@code nodes:} and a tunnel endpoint's {@code servers:}
 * with fuzzed values in well-formed YAML, so every run reaches the cluster decoders: a config that holds (a node
 * name that is a name, a url the driver takes), or problems that each name their line.
 */
class ClusterConfigFuzzTest {

    @FuzzTest(maxDuration = "12s")
    void storeNodeAndServers(FuzzedDataProvider data) {
        String yaml = "store:\n  url: " + value(data) + "\n  password-file: " + value(data) + "\nnode:\n  name: "
                + value(data) + "\n  address: " + value(data) + "\n  link-transport: " + value(data)
                + "\nforwards:\n  - { name: f, listen: 8080, target:"
                + " \"10.0.0.1:80\", nodes: [ " + value(data) + ", " + value(data) + " ] }\n"
                + "tunnel-endpoints:\n  - { name: t, servers: [ " + value(data) + ", " + value(data) + " ],"
                + " client-certificate: auto, server-fingerprint: \"sha256:" + "ab".repeat(32) + "\" }\n";
        try {
            GatewayConfig config = ConfigFile.parse(yaml, "fuzz.yaml");
            assertThat(config.node().name()).matches(NodeSettings.NAME);
            assertThat(config.node().linkTransport()).isIn("tcp", "quic", "auto");
            assertThat(config.forwards().get(0).limits().nodes())
                    .allMatch(n -> NodeSettings.NAME.matcher(n).matches());
            assertThat(StoreSettings.parse(config.store().url()).jdbcUrl()).startsWith("jdbc:postgresql://");
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty();
            e.problems().forEach(p -> assertThat(p.toString()).isNotBlank());
        }
    }

    private static String value(FuzzedDataProvider data) {
        return FuzzedYaml.scalar(data, 60);
    }
}
