package dev.portgate.cli;

import dev.portgate.store.NodeSettings;
import dev.portgate.store.PostgresDatabase;
import dev.portgate.store.SqliteDatabase;
import dev.portgate.store.StoreCopy;
import dev.portgate.store.StoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code portgate store}: moving a gateway's state between stores. */
@Command(
        name = "store",
        mixinStandardHelpOptions = true,
        description = "Move a gateway's state between stores.",
        subcommands = {StoreCommand.Copy.class})
final class StoreCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("usage: portgate store copy --from DATA_DIR --to postgresql://USER@HOST:PORT/DATABASE");
    }

    @Command(
            name = "copy",
            mixinStandardHelpOptions = true,
            description = {
                "Copy a single gateway's state (its data folder's SQLite store) into an empty PostgreSQL database,",
                "to start a cluster with it: every forward, user, API token, ban, traffic total and audit entry.",
                "Stop the gateway first. Then give its config store: url: and start it, and the other nodes."
            })
    static final class Copy implements Callable<Integer> {

        @Option(
                names = "--from",
                required = true,
                paramLabel = "DATA_DIR",
                description = "The data folder of the gateway whose state is copied.")
        Path from;

        @Option(
                names = "--to",
                required = true,
                paramLabel = "URL",
                description = "The PostgreSQL database: postgresql://USER@HOST:PORT/DATABASE.")
        String to;

        @Option(
                names = "--password-file",
                paramLabel = "FILE",
                description = "The database user's password (else PGPASSWORD, else ~/.pgpass).")
        Path passwordFile;

        @Option(
                names = "--node",
                paramLabel = "NAME",
                description = "The node the copied state is marked as made by (default: this host's name).")
        String node;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(from.resolve("portgate.db"))) {
                System.err.println("portgate store copy: " + from + " holds no store (no portgate.db)");
                return ExitCodes.INVALID;
            }
            String name;
            try {
                StoreSettings.parse(to);
                name = node == null ? NodeSettings.defaults().name() : NodeSettings.checkName(node);
            } catch (IllegalArgumentException e) {
                System.err.println("portgate store copy: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            try (SqliteDatabase source = new SqliteDatabase(from);
                    PostgresDatabase target = new PostgresDatabase(new StoreSettings(to, passwordFile))) {
                StoreCopy.Counts counts = StoreCopy.copy(source, target, name);
                System.out.println("copied " + counts + " from " + from + " to " + target.target());
                return ExitCodes.OK;
            } catch (SQLException | IOException | RuntimeException e) {
                System.err.println("portgate store copy: " + e.getMessage() + " (nothing was copied)");
                return ExitCodes.FAILED;
            }
        }
    }
}
