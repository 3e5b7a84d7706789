package dev.portgate.forward;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * The catalogue of common games and services with the ports they need — what a router's page offers
 * as "Game or service", kept in {@code presets/presets.json} with the source of each port list.
 */
public final class Presets {

    /** One protocol and port range a preset opens; several when a service needs TCP and UDP on different ports. */
    public record Part(String protocol, String ports) {}

    /** {@code risk}: why opening it to everyone is dangerous; {@code note}: anything else worth knowing. */
    public record Preset(
            String id, String name, String category, List<Part> ports, String risk, String note, String source) {}

    private static final List<Preset> ALL = load();

    private Presets() {}

    public static List<Preset> all() {
        return ALL;
    }

    public static Optional<Preset> find(String id) {
        return ALL.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    private static List<Preset> load() {
        try (InputStream in = Presets.class.getResourceAsStream("/presets/presets.json")) {
            if (in == null) {
                throw new IllegalStateException("presets/presets.json is missing from the jar");
            }
            return List.copyOf(new ObjectMapper().readValue(in, new TypeReference<List<Preset>>() {}));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
