package dev.portgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code portgate nodes}: the nodes sharing the gateway's store, up or down, with their last heartbeat; {@code
 * portgate nodes forget NAME} forgets one that is gone for good.
 */
@Command(
        name = "nodes",
        mixinStandardHelpOptions = true,
        description = "List the nodes sharing this gateway's store: up or down, last heartbeat, version.",
        subcommands = NodesCommand.Forget.class)
final class NodesCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        try {
            JsonNode list = client.client().get("/api/v1/nodes");
            if (client.json) {
                System.out.println(list.toPrettyString());
                return ExitCodes.OK;
            }
            Table t = new Table("NODE", "STATE", "ADDRESS", "NODE LINK", "VERSION", "LAST HEARTBEAT", "");
            for (JsonNode n : list) {
                String role = n.path("self").asBoolean()
                        ? "this node" + (n.path("leader").asBoolean() ? ", runs the timed jobs" : "")
                        : "";
                t.row(
                        n.path("name").asText(),
                        n.path("up").asBoolean() ? "up" : "down",
                        n.path("address").asText().isEmpty()
                                ? "-"
                                : n.path("address").asText(),
                        n.path("link").asText().isEmpty() ? "-" : n.path("link").asText(),
                        n.path("version").asText(),
                        n.path("heartbeat").asText(),
                        role);
            }
            t.print(System.out);
            return ExitCodes.OK;
        } catch (ApiClient.Failure e) {
            return ClientOptions.fail(e, System.err);
        }
    }

    @Command(
            name = "forget",
            mixinStandardHelpOptions = true,
            description = "Forget a node that is gone for good: its config file's forwards (handed over to this"
                    + " node's file where it declares them alike), its leases and its node-link certificate go.")
    static final class Forget implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NODE", description = "the node's name; it must be down")
        String node;

        @Override
        public Integer call() {
            try {
                JsonNode done =
                        client.client().delete("/api/v1/nodes/" + URLEncoder.encode(node, StandardCharsets.UTF_8));
                if (client.json) {
                    System.out.println(done.toPrettyString());
                    return ExitCodes.OK;
                }
                System.out.println("forgot node " + done.path("node").asText());
                print("removed", done.path("removed"));
                print("handed over to this node's config file", done.path("handed-over"));
                print("kept (made for that node alone; delete or edit them)", done.path("kept"));
                return ExitCodes.OK;
            } catch (ApiClient.Failure e) {
                return ClientOptions.fail(e, System.err);
            }
        }

        private static void print(String what, JsonNode names) {
            if (!names.isEmpty()) {
                List<String> list = new ArrayList<>();
                names.forEach(n -> list.add(n.asText()));
                System.out.println("  " + what + ": " + String.join(", ", list));
            }
        }
    }
}
