package dev.portgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portgate.forward.HttpForward;

/**
 * The site keys ({@code kind: http}) and the {@code http-routing:} section with fuzzed values in well-formed YAML, so
 * every run reaches the site decoders: a config that holds, or problems that each name their line.
 */
class SiteConfigFuzzTest {

    @FuzzTest(maxDuration = "12s")
    void siteAndRouting(FuzzedDataProvider data) {
        String yaml = "http-routing:\n  http: " + value(data) + "\n  https: " + value(data) + "\n  domain: "
                + value(data) + "\n  redirect: " + value(data) + "\n  acme: { directory: " + value(data)
                + ", email: " + value(data) + ", accept-terms: " + value(data) + ", renew-before: " + value(data)
                + " }\nforwards:\n  - { name: s, kind: http, host: " + value(data) + ", target: " + value(data)
                + ", tls: " + value(data) + ", access: " + value(data) + ", proxy-protocol: " + value(data) + " }\n";
        try {
            GatewayConfig config = ConfigFile.parse(yaml, "fuzz.yaml");
            assertThat(config.forwards()).allMatch(f -> f instanceof HttpForward);
            assertThat(config.httpRouting()).isNotNull();
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty();
            e.problems().forEach(p -> assertThat(p.toString()).isNotBlank());
        }
    }

    private static String value(FuzzedDataProvider data) {
        return FuzzedYaml.scalar(data, 60);
    }
}
