package dev.portgate.config;

import dev.portgate.forward.Problem;
import dev.portgate.rules.ChangeResult;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Re-reads the config file on a signal or an edit; a config that does not validate is refused whole. */
public final class ConfigReloader {

    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    private final Path file;
    private final Function<GatewayConfig, ChangeResult> apply;

    /** {@code file} null: there is no config file, and a reload does nothing. */
    public ConfigReloader(Path file, Function<GatewayConfig, ChangeResult> apply) {
        this.file = file;
        this.apply = apply;
    }

    public synchronized void reload() {
        if (file == null) {
            return;
        }
        try {
            ChangeResult result = apply.apply(ConfigFile.load(file));
            if (result instanceof ChangeResult.Rejected rejected) {
                refuse(rejected.problems());
            } else if (((ChangeResult.Applied) result).changes().isEmpty()) {
                log.info("config {} reloaded: no changes", file);
            }
        } catch (ConfigException e) {
            refuse(e.problems());
        }
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
    }
}
