package dev.portgate.cli;

import ch.qos.logback.classic.Level;
import dev.portgate.Gateway;
import dev.portgate.config.ConfigException;
import dev.portgate.config.ConfigFile;
import dev.portgate.config.ConfigWatcher;
import dev.portgate.config.GatewayConfig;
import dev.portgate.forward.Durations;
import dev.portgate.forward.Problem;
import dev.portgate.rules.ChangeResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code portgate serve}: run the gateway until SIGTERM/SIGINT; SIGHUP or a file change reloads the config. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the gateway.")
final class ServeCommand implements Callable<Integer> {

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "YAML config; watched, and re-read on SIGHUP")
    Path config;

    @Option(
            names = {"-d", "--data"},
            paramLabel = "DIR",
            defaultValue = "${env:PORTGATE_DATA:-portgate-data}",
            description = "folder for the gateway's state (default: $PORTGATE_DATA, else portgate-data)")
    Path data;

    @Option(
            names = "--shutdown-grace",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "on SIGTERM, how long open connections may finish (default: ${DEFAULT-VALUE})")
    String shutdownGrace;

    @Option(
            names = "--connect-timeout",
            paramLabel = "DURATION",
            defaultValue = "10s",
            description = "how long to wait for a target to accept a connection (default: ${DEFAULT-VALUE})")
    String connectTimeout;

    @Option(names = "--threads", paramLabel = "N", description = "event loop threads (default: one per core)")
    Integer threads;

    @Option(
            names = "--console",
            paramLabel = "HOST:PORT",
            defaultValue = "127.0.0.1:7080",
            description = "where the web console and REST API listen, or \"off\" (default: ${DEFAULT-VALUE})")
    String console;

    @Option(names = "--console-insecure", description = "allow the console on a non-loopback address without TLS")
    boolean consoleInsecure;

    @Option(
            names = "--console-tls",
            description = "use TLS on a loopback console too (self-signed unless --console-keystore)")
    boolean consoleTls;

    @Option(
            names = "--console-keystore",
            paramLabel = "FILE",
            description =
                    "PKCS#12 key store with the console's certificate; its password in PORTGATE_CONSOLE_KEYSTORE_PASSWORD")
    Path consoleKeyStore;

    @Option(
            names = "--log-level",
            paramLabel = "LEVEL",
            defaultValue = "info",
            description = "error, warn, info or debug (debug logs every connection; default: ${DEFAULT-VALUE})")
    String logLevel;

    @Override
    public Integer call() throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.portgate"))
                .setLevel(Level.toLevel(logLevel, Level.INFO));
        Logger log = LoggerFactory.getLogger("dev.portgate");
        Duration grace;
        Duration connect;
        try {
            grace = Durations.parse(shutdownGrace);
            connect = Durations.parse(connectTimeout);
        } catch (IllegalArgumentException e) {
            System.err.println("portgate serve: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (connect.isZero()) {
            System.err.println("portgate serve: --connect-timeout must be more than 0");
            return ExitCodes.USAGE;
        }
        GatewayConfig initial = GatewayConfig.EMPTY;
        if (config != null) {
            try {
                initial = ConfigFile.load(config);
            } catch (ConfigException e) {
                e.problems().forEach(p -> System.err.println(p));
                System.err.println(
                        "portgate serve: " + config + " has " + e.problems().size() + " problem(s); not started");
                return ExitCodes.INVALID;
            }
        }
        Gateway.Console consoleSettings = null;
        if (!console.equalsIgnoreCase("off")) {
            try {
                consoleSettings = new Gateway.Console(
                        ConsoleAddress.parse(console),
                        consoleInsecure,
                        consoleTls,
                        consoleKeyStore,
                        System.getenv("PORTGATE_CONSOLE_KEYSTORE_PASSWORD"),
                        System.getenv("PORTGATE_ADMIN_PASSWORD"),
                        System.getenv("PORTGATE_API_TOKEN"));
            } catch (IllegalArgumentException e) {
                System.err.println("portgate serve: --console " + e.getMessage());
                return ExitCodes.USAGE;
            }
        }
        Gateway.Settings settings = new Gateway.Settings(
                config,
                data,
                grace,
                threads == null ? Runtime.getRuntime().availableProcessors() : threads,
                connect,
                consoleSettings,
                initial.kernel(),
                initial.store(),
                initial.nodeOrDefault());
        Gateway gateway;
        try {
            gateway = new Gateway(settings);
        } catch (IOException | RuntimeException e) {
            System.err.println("portgate serve: " + e.getMessage());
            return ExitCodes.FAILED;
        }
        ChangeResult first = gateway.apply(initial);
        if (first instanceof ChangeResult.Rejected r) {
            r.problems().stream().map(Problem::toString).forEach(System.err::println);
            gateway.close();
            return ExitCodes.INVALID;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        ConfigWatcher watcher = config == null ? null : new ConfigWatcher(config, gateway::reloadConfig);
        if (config != null) {
            Signals.onHangup(() -> {
                log.info("SIGHUP: reloading {}", config);
                gateway.reloadConfig();
            });
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("stopping");
                            try {
                                if (watcher != null) {
                                    watcher.close();
                                }
                            } catch (IOException ignored) {
                                // the watch thread ends with the process anyway
                            }
                            gateway.shutdown();
                            log.info("stopped");
                            stopped.countDown();
                        },
                        "shutdown"));
        log.info(
                "portgate started: {} forward(s), data in {}{}",
                gateway.rules().forwards().size(),
                settings.data().toAbsolutePath().normalize(),
                config == null ? "" : ", config " + config.toAbsolutePath().normalize());
        stopped.await();
        return ExitCodes.OK;
    }
}
