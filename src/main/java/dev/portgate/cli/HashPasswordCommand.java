package dev.portgate.cli;

import dev.portgate.policy.PasswordHash;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code portgate hash-password}: read a password on standard input, print the hash every password-hash key takes. */
@Command(
        name = "hash-password",
        mixinStandardHelpOptions = true,
        description =
                "Read a password on standard input (not echoed on a terminal) and print its hash for a config file.")
final class HashPasswordCommand implements Callable<Integer> {

    @Override
    public Integer call() throws IOException {
        char[] password;
        @SuppressWarnings("SystemConsoleNull") // release 17: null means no terminal, so read a line from stdin
        Console console = System.console();
        if (console != null) {
            password = console.readPassword("password: ");
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? null : line.toCharArray();
        }
        if (password == null || password.length == 0) {
            System.err.println("portgate hash-password: no password on standard input");
            return ExitCodes.INVALID;
        }
        System.out.println(PasswordHash.hash(password));
        return ExitCodes.OK;
    }
}
