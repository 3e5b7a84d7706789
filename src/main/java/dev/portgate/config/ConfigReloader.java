package dev.portgate.config;

import dev.portgate.forward.Problem;
import dev.portgate.rules.ChangeResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the config file on a signal or an edit; a config that does not validate is refused whole,
 * and the refusal stays visible (console banner, status, audit) until a good file is loaded.
 */
public final class ConfigReloader {

    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    /** A file that was refused: when, and every problem in it. */
    public record Refusal(Path file, Instant at, List<Problem> problems) {}

    /** Told once when a file is refused and once when a good one is loaded after a refusal. */
    public interface Listener {
        void refused(Refusal refusal);

        void recovered(Path file);
    }

    private final Path file;
    private final Function<GatewayConfig, ChangeResult> apply;
    private final Listener listener;
    private volatile Refusal refusal;

    /** {@code file} null: there is no config file, and a reload does nothing. */
    public ConfigReloader(Path file, Function<GatewayConfig, ChangeResult> apply, Listener listener) {
        this.file = file;
        this.apply = apply;
        this.listener = listener;
    }

    public synchronized void reload() {
        if (file == null) {
            return;
        }
        try {
            ChangeResult result = apply.apply(ConfigFile.load(file));
            if (result instanceof ChangeResult.Rejected rejected) {
                refuse(rejected.problems());
                return;
            }
            if (((ChangeResult.Applied) result).changes().isEmpty()) {
                log.info("config {} reloaded: no changes", file);
            }
            if (refusal != null) {
                refusal = null;
                log.info("config {} accepted again", file);
                listener.recovered(file);
            }
        } catch (ConfigException e) {
            refuse(e.problems());
        }
    }

    /** The last refusal, while no good file has been loaded since. */
    public Optional<Refusal> refusal() {
        return Optional.ofNullable(refusal);
    }

    private void refuse(List<Problem> problems) {
        for (Problem p : problems) {
            log.warn("config refused: {}", p);
        }
        log.warn(
                "config {} refused whole ({} problem{}); the running rules stay",
                file,
                problems.size(),
                problems.size() == 1 ? "" : "s");
        Refusal r = new Refusal(file, Instant.now(), List.copyOf(problems));
        boolean same = refusal != null && refusal.problems().equals(r.problems());
        refusal = r;
        if (!same) {
            listener.refused(r);
        }
    }
}
