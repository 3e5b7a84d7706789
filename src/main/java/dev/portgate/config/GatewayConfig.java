package dev.portgate.config;

import dev.portgate.forward.Forward;
import java.util.List;

/** Everything a config file declares. Later sections (ssh, igd, triggers) join as fields. */
public record GatewayConfig(List<Forward> forwards) {

    public static final GatewayConfig EMPTY = new GatewayConfig(List.of());

    public GatewayConfig {
        forwards = List.copyOf(forwards);
    }
}
