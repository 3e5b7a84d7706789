package dev.portgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** The YAML config, as an editor or a careless script may leave it: valid, or refused with problems that say where. */
class ConfigFileFuzzTest {

    @FuzzTest(maxDuration = "12s")
    void config(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        try {
            GatewayConfig config = ConfigFile.parse(text, "fuzz.yaml");
            assertThat(config.forwards()).doesNotContainNull();
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty();
            e.problems().forEach(p -> assertThat(p.toString()).isNotBlank());
        }
    }
}
