package dev.portgate.web;

import dev.portgate.policy.PasswordHash;
import dev.portgate.store.Accounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials a fresh gateway needs: the console's admin password (from PORTGATE_ADMIN_PASSWORD,
 * or generated and printed once — there is no default password) and the API token the CLI uses
 * (from PORTGATE_API_TOKEN, or generated into {@code <data>/api-token}, mode 0600).
 */
public final class FirstRun {

    private static final Logger log = LoggerFactory.getLogger(FirstRun.class);

    public static final String TOKEN_FILE = "api-token";
    public static final String URL_FILE = "console-url";
    static final String DATA_TOKEN_NAME = "data-folder";
    static final String ENV_TOKEN_NAME = "environment";
    public static final int MIN_PASSWORD = AccountApi.MIN_PASSWORD;

    private FirstRun() {}

    /** Returns the line to print once, or null when nothing new was made. */
    public static String ensureAdmin(Accounts accounts, String fromEnvironment) {
        if (accounts.hasUser(Accounts.ADMIN)) {
            if (fromEnvironment != null && !fromEnvironment.isBlank()) {
                // Only a first start takes it; say so, or a user setting it to regain access waits in vain.
                log.info("PORTGATE_ADMIN_PASSWORD is set but the admin exists already, so it is not used — to"
                        + " reset a lost password: portgate admin reset-password --data DIR");
            }
            return null;
        }
        String password = fromEnvironment;
        boolean generated = password == null || password.isBlank();
        if (generated) {
            password = PasswordHash.randomSecret(12);
        } else if (password.length() < AccountApi.MIN_PASSWORD) {
            throw new IllegalArgumentException(
                    "PORTGATE_ADMIN_PASSWORD must have at least " + AccountApi.MIN_PASSWORD + " characters");
        }
        accounts.setPassword(Accounts.ADMIN, "admin", PasswordHash.hash(password.toCharArray()));
        return generated
                ? "first start: the console's admin password is  " + password
                        + "  (shown only now; change it under Settings)"
                : "first start: the console's admin password was taken from PORTGATE_ADMIN_PASSWORD";
    }

    /**
     * Makes sure the data folder's token (and the environment's, if set) open the API. On a shared store each node
     * has its own ({@code node} is appended to their names), so that one node's start never ends another's tokens.
     */
    public static void ensureTokens(Accounts accounts, Path data, String fromEnvironment, String node)
            throws IOException {
        String suffix = node.isEmpty() ? "" : "@" + node;
        Path file = data.resolve(TOKEN_FILE);
        String secret;
        if (Files.exists(file)) {
            secret = Files.readString(file).strip();
        } else {
            secret = "pgt_" + PasswordHash.randomSecret(32);
            writePrivate(file, secret + "\n");
        }
        accounts.putToken(DATA_TOKEN_NAME + suffix, secret);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            accounts.putToken(ENV_TOKEN_NAME + suffix, fromEnvironment.strip());
        } else {
            accounts.deleteToken(ENV_TOKEN_NAME + suffix);
        }
    }

    public static void writeUrl(Path data, String url) throws IOException {
        Files.writeString(data.resolve(URL_FILE), url + "\n");
    }

    static void writePrivate(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, content, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
