package dev.portgate.cli;

import dev.portgate.DataFolder;
import dev.portgate.config.ConfigException;
import dev.portgate.config.ConfigFile;
import dev.portgate.policy.PasswordHash;
import dev.portgate.rules.Actor;
import dev.portgate.store.Accounts;
import dev.portgate.store.AuditLog;
import dev.portgate.store.Database;
import dev.portgate.store.PostgresDatabase;
import dev.portgate.store.SqliteDatabase;
import dev.portgate.store.StoreSettings;
import dev.portgate.web.FirstRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code portgate admin}: what the owner of the machine can do to a stopped gateway's data folder. */
@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description = "Owner's commands on a stopped gateway's data folder.",
        subcommands = {AdminCommand.ResetPassword.class})
final class AdminCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("usage: portgate admin reset-password --data DIR [--password-file FILE]");
    }

    @Command(
            name = "reset-password",
            mixinStandardHelpOptions = true,
            description = {
                "Give the console's admin a new password when the old one is lost.",
                "Run it while the gateway is stopped, as the user who owns the data folder. It prints a new random",
                "password, or sets the one in --password-file. Existing console sessions of the admin end."
            })
    static final class ResetPassword implements Callable<Integer> {

        @Option(
                names = {"-d", "--data"},
                paramLabel = "DIR",
                defaultValue = "${env:PORTGATE_DATA:-portgate-data}",
                description = "The gateway's data folder (default: $PORTGATE_DATA, else portgate-data).")
        Path data;

        @Option(
                names = "--password-file",
                paramLabel = "FILE",
                description = "Take the new password from the first line of FILE instead of making one.")
        Path passwordFile;

        @Option(
                names = {"-c", "--config"},
                paramLabel = "FILE",
                description = "A node's config: when its store: is a shared PostgreSQL, the password is set there,"
                        + " for every node (they need not be stopped).")
        Path config;

        @Override
        public Integer call() {
            if (config == null && !Files.isDirectory(data)) {
                System.err.println("portgate admin reset-password: " + data + " is not a data folder (no such folder)");
                return ExitCodes.INVALID;
            }
            String password;
            boolean generated = passwordFile == null;
            try {
                password = generated
                        ? PasswordHash.randomSecret(12)
                        : Files.readString(passwordFile)
                                .lines()
                                .findFirst()
                                .orElse("")
                                .strip();
            } catch (IOException e) {
                System.err.println(
                        "portgate admin reset-password: cannot read " + passwordFile + ": " + e.getMessage());
                return ExitCodes.INVALID;
            }
            if (password.length() < FirstRun.MIN_PASSWORD) {
                System.err.println("portgate admin reset-password: the password in " + passwordFile + " has "
                        + password.length() + " characters — it needs at least " + FirstRun.MIN_PASSWORD);
                return ExitCodes.INVALID;
            }
            StoreSettings store = StoreSettings.EMBEDDED;
            if (config != null) {
                try {
                    store = ConfigFile.load(config).store();
                } catch (ConfigException e) {
                    e.problems().forEach(System.err::println);
                    System.err.println("portgate admin reset-password: " + config + " is not a valid config");
                    return ExitCodes.INVALID;
                }
            }
            String detail = generated ? "a new random password" : "from " + passwordFile;
            try {
                if (store.shared()) {
                    try (Database db = new PostgresDatabase(store)) {
                        reset(db, password, detail);
                    }
                } else {
                    try (DataFolder folder = new DataFolder(data);
                            Database db = new SqliteDatabase(folder.path())) {
                        reset(db, password, detail);
                    }
                }
            } catch (IOException e) {
                String why = e.getMessage();
                System.err.println("portgate admin reset-password: " + why
                        + (why != null && why.contains("in use")
                                ? "\n  the gateway is running: stop it first, or change the password in the console"
                                        + " under Settings"
                                : ""));
                return ExitCodes.FAILED;
            } catch (SQLException | RuntimeException e) {
                System.err.println("portgate admin reset-password: cannot open the store "
                        + (store.shared() ? "" : "in " + data) + ": " + e.getMessage());
                return ExitCodes.FAILED;
            }
            System.out.println(
                    generated
                            ? "the console's admin password is now  " + password + "  (shown only now)"
                            : "the console's admin password was set from " + passwordFile);
            return ExitCodes.OK;
        }

        private static void reset(Database db, String password, String detail) {
            new Accounts(db).setPassword(Accounts.ADMIN, "admin", PasswordHash.hash(password.toCharArray()));
            new AuditLog(db).record(new Actor("owner", "command line"), "admin.reset-password", Accounts.ADMIN, detail);
        }
    }
}
