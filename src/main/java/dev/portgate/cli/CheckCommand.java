package dev.portgate.cli;

import dev.portgate.config.ConfigException;
import dev.portgate.config.ConfigFile;
import dev.portgate.config.GatewayConfig;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Problem;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code portgate check}: validate a config, print every error, exit non-zero if any. */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = "Validate a config file: print every problem, or the forwards it declares. Exit 1 if invalid.")
final class CheckCommand implements Callable<Integer> {

    @Option(
            names = {"-c", "--config"},
            required = true,
            paramLabel = "FILE",
            description = "the YAML config to check")
    Path config;

    @Override
    public Integer call() {
        try {
            GatewayConfig c = ConfigFile.load(config);
            System.out.println(config + ": OK, " + c.forwards().size() + " forward"
                    + (c.forwards().size() == 1 ? "" : "s"));
            for (Forward f : c.forwards()) {
                System.out.println("  " + f.name() + ": " + f + (f.enabled() ? "" : " (disabled)"));
            }
            return ExitCodes.OK;
        } catch (ConfigException e) {
            for (Problem p : e.problems()) {
                System.err.println(p);
            }
            System.err.println(config + ": " + e.problems().size() + " problem"
                    + (e.problems().size() == 1 ? "" : "s"));
            return ExitCodes.INVALID;
        }
    }
}
