package dev.portgate.cli;

import dev.portgate.tunnel.TunnelTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code portgate tunnel token}: a new client token, written for the client (mode 0600), and its hash printed for
 * the server's {@code token-file} (the server never needs the token itself).
 */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description =
                "Makes a tunnel client token: writes it to --out (0600) and prints the sha256: line for the server.")
final class TunnelTokenCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "where the client's token goes")
    Path out;

    @Option(names = "--hash-out", paramLabel = "FILE", description = "also write the server's sha256: line here")
    Path hashOut;

    @Override
    public Integer call() {
        String token = TunnelTokens.generate();
        try {
            write(out, token);
            if (hashOut != null) {
                write(hashOut, TunnelTokens.hash(token));
            }
        } catch (IOException e) {
            System.err.println("portgate tunnel token: " + e.getMessage());
            return ExitCodes.FAILED;
        }
        System.out.println(TunnelTokens.hash(token));
        System.err.println("token written to " + out + " (give it to the client); put the line above in the server's"
                + " token-file for this client");
        return ExitCodes.OK;
    }

    private static void write(Path file, String text) throws IOException {
        if (Files.exists(file)) {
            throw new IOException(file + " exists — choose another file, or remove it first");
        }
        Files.writeString(file, text + "\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // The folder's permissions protect it.
        }
    }
}
