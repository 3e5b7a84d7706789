package dev.portgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code portgate nodes}: the nodes sharing the gateway's store, up or down, with their last heartbeat. */
@Command(
        name = "nodes",
        mixinStandardHelpOptions = true,
        description = "List the nodes sharing this gateway's store: up or down, last heartbeat, version.")
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
}
