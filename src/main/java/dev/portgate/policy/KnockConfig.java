package dev.portgate.policy;

import dev.portgate.forward.ListenSpec;
import java.time.Duration;

/** The {@code knock:} section: where single-packet knocks are received, and how far a knock's clock may be off. */
public record KnockConfig(ListenSpec listen, Duration maxSkew) {

    public static final int DEFAULT_PORT = 62201;
    public static final Duration DEFAULT_SKEW = Duration.ofSeconds(30);
}
