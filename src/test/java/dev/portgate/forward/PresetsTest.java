package dev.portgate.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PresetsTest {

    @Test
    void everyPresetHasAUniqueIdValidPortsAndASource() {
        assertThat(Presets.all()).hasSizeGreaterThanOrEqualTo(20);
        Set<String> ids = new HashSet<>();
        for (Presets.Preset p : Presets.all()) {
            assertThat(ids.add(p.id())).as("duplicate id " + p.id()).isTrue();
            assertThat(p.id()).matches("[a-z0-9-]+");
            assertThat(p.name()).isNotBlank();
            assertThat(p.category()).isNotBlank();
            assertThat(p.source()).as(p.id()).startsWith("https://");
            assertThat(p.ports()).as(p.id()).isNotEmpty();
            for (Presets.Part part : p.ports()) {
                assertThat(Protocol.parseSet(part.protocol())).as(p.id()).isNotEmpty();
                assertThat(PortRange.parse(part.ports()).size()).as(p.id()).isPositive();
            }
        }
        assertThat(Presets.find("minecraft-java").orElseThrow().ports())
                .containsExactly(new Presets.Part("tcp", "25565"));
    }
}
