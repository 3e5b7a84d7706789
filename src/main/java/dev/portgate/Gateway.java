package dev.portgate;

import dev.portgate.config.ConfigException;
import dev.portgate.config.ConfigFile;
import dev.portgate.config.GatewayConfig;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Problem;
import dev.portgate.net.DirectDialer;
import dev.portgate.net.ListenerFactory;
import dev.portgate.net.Transport;
import dev.portgate.policy.Policy;
import dev.portgate.rules.ChangeResult;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon, wired by hand: one place where every part is built and connected. */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    /** How the gateway is run; the CLI's serve options. */
    public record Settings(Path config, Path data, Duration shutdownGrace, int threads, Duration connectTimeout) {

        public static Settings defaults(Path data) {
            return new Settings(null, data, Duration.ofSeconds(30), Runtime.getRuntime().availableProcessors(), Duration.ofSeconds(10));
        }

        public Settings withConfig(Path file) {
            return new Settings(file, data, shutdownGrace, threads, connectTimeout);
        }
    }

    private final Settings settings;
    private final DataFolder data;
    private final Transport transport;
    private final RuleService rules;
    private final Reconciler reconciler;

    public Gateway(Settings settings) throws java.io.IOException {
        this.settings = settings;
        this.data = new DataFolder(settings.data());
        this.transport = new Transport(settings.threads());
        Policy policy = new Policy();
        DirectDialer direct = new DirectDialer(transport, (int) settings.connectTimeout().toMillis());
        this.reconciler = new Reconciler(new ListenerFactory(transport, policy, direct));
        this.rules = new RuleService();
        rules.subscribe(reconciler);
    }

    public RuleService rules() {
        return rules;
    }

    public Reconciler reconciler() {
        return reconciler;
    }

    public Settings settings() {
        return settings;
    }

    /** Applies a validated config; the forwards it declares replace the previous config's. */
    public ChangeResult apply(GatewayConfig config) {
        ChangeResult result = rules.replaceAll(Origin.Kind.CONFIG, config.forwards());
        reconciler.awaitApplied();
        return result;
    }

    /** Re-reads the config file; a config that does not validate is refused whole and the running rules stay. */
    public synchronized void reloadConfig() {
        if (settings.config() == null) {
            return;
        }
        try {
            GatewayConfig config = ConfigFile.load(settings.config());
            ChangeResult result = apply(config);
            if (result instanceof ChangeResult.Rejected rejected) {
                refuse(rejected.problems());
            } else if (((ChangeResult.Applied) result).changes().isEmpty()) {
                log.info("config {} reloaded: no changes", settings.config());
            }
        } catch (ConfigException e) {
            refuse(e.problems());
        }
    }

    private void refuse(java.util.List<Problem> problems) {
        for (Problem p : problems) {
            log.warn("config refused: {}", p);
        }
        log.warn("config {} refused whole ({} problem{}); the running rules stay", settings.config(), problems.size(),
                problems.size() == 1 ? "" : "s");
    }

    /** Stops accepting, lets open connections finish within the grace period, then closes everything. */
    public void shutdown() {
        reconciler.stopAccepting();
        long open = reconciler.activeConnections();
        Instant deadline = Instant.now().plus(settings.shutdownGrace());
        if (open > 0) {
            log.info("stopping: listeners closed; waiting up to {} s for {} open connection(s)", settings.shutdownGrace().toSeconds(), open);
        }
        while (reconciler.activeConnections() > 0 && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long left = reconciler.activeConnections();
        if (left > 0) {
            log.info("stopping: closing {} connection(s) still open after the grace period", left);
        }
        reconciler.closeAll();
        close();
    }

    @Override
    public void close() {
        reconciler.close();
        transport.close();
        try {
            data.close();
        } catch (java.io.IOException e) {
            log.debug("releasing the data folder lock: {}", e.toString());
        }
    }
}
