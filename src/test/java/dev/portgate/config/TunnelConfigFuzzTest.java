package dev.portgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * tunnel-server and tunnel-endpoints with whatever values a careless edit leaves in them: read, or refused with
 * problems that say where — the decoders never throw anything else.
 */
class TunnelConfigFuzzTest {

    @FuzzTest(maxDuration = "12s")
    void sections(FuzzedDataProvider data) {
        String yaml = "tunnel-server:\n  listen: " + value(data) + "\n  certificate: " + value(data)
                + "\n  clients:\n    - { name: " + value(data) + ", token-hash: " + value(data)
                + ", permit-listen: [ " + value(data) + " ], permit-hosts: [ " + value(data) + " ] }\n"
                + "tunnel-endpoints:\n  - { name: " + value(data) + ", server: " + value(data)
                + ", token-file: /dev/null, server-fingerprint: " + value(data) + ", transport: " + value(data)
                + ", keepalive: " + value(data) + " }\n"
                + "forwards:\n  - { name: f, kind: remote, via: " + value(data) + ", protocol: " + value(data)
                + ", listen: " + value(data) + ", target: " + value(data) + ", proxy-protocol: " + value(data) + " }\n"
                + "  - { name: s, kind: remote, via: " + value(data) + ", host: " + value(data) + ", target: "
                + value(data) + " }\n";
        try {
            GatewayConfig c = ConfigFile.parse(yaml, "fuzz.yaml");
            assertThat(c.forwards()).doesNotContainNull();
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty();
            e.problems().forEach(p -> assertThat(p.toString()).isNotBlank());
        }
    }

    private static String value(FuzzedDataProvider data) {
        return FuzzedYaml.scalar(data, 40);
    }
}
