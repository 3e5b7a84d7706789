package dev.portgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code portgate kernel show}: the nftables table portgate manages, and whether the kernel data plane is on. */
@Command(
        name = "kernel",
        mixinStandardHelpOptions = true,
        description = "The kernel data plane (nftables).",
        subcommands = KernelCommand.Show.class)
final class KernelCommand {

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description =
                    "Print the table portgate manages (rules, sets, counters) and why the kernel data plane is on or off.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            return client.call(api -> {
                JsonNode k = api.get("/api/v1/kernel");
                if (client.json) {
                    System.out.println(k.toPrettyString());
                } else {
                    System.out.print(k.path("listing").asText());
                }
                return ExitCodes.OK;
            });
        }
    }
}
