package dev.portgate.cli;

import dev.portgate.policy.KnockPacket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code portgate knock-key FILE}: writes a new random knock key, readable by its owner only. */
@Command(
        name = "knock-key",
        mixinStandardHelpOptions = true,
        description = "Write a new random knock key to FILE (mode 0600).")
final class KnockKeyCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE")
    Path file;

    @Option(names = "--force", description = "replace FILE if it exists")
    boolean force;

    @Override
    public Integer call() {
        if (Files.exists(file) && !force) {
            System.err.println("portgate knock-key: " + file
                    + " exists — give --force to replace it (knocks made with the old key stop working)");
            return ExitCodes.INVALID;
        }
        try {
            KnockPacket.writeNewKey(file);
            System.out.println("wrote a new knock key to " + file + "; copy it to each client that knocks");
            return ExitCodes.OK;
        } catch (IOException e) {
            System.err.println("portgate knock-key: cannot write " + file + ": " + e.getMessage());
            return ExitCodes.INVALID;
        }
    }
}
