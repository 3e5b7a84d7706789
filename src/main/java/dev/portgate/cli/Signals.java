package dev.portgate.cli;

import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** SIGHUP handling through the JDK's unsupported-but-stable signal API. */
final class Signals {

    private Signals() {}

    @SuppressWarnings("sunapi")
    static void onHangup(Runnable action) {
        try {
            Signal.handle(new Signal("HUP"), s -> action.run());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LoggerFactory.getLogger(Signals.class)
                    .info("SIGHUP is not available here ({}); the config is still watched", e.getMessage());
        }
    }
}
