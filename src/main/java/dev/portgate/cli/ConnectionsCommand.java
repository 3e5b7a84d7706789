package dev.portgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code portgate connections}: live connections; {@code --close ID} ends one. */
@Command(name = "connections", mixinStandardHelpOptions = true, description = "List live connections, or close one.")
final class ConnectionsCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Option(names = "--forward", paramLabel = "NAME", description = "only this forward's connections")
    String forward;

    @Option(names = "--close", paramLabel = "ID", description = "close the connection with this id")
    Long close;

    @Override
    public Integer call() {
        try {
            ApiClient api = client.client();
            if (close != null) {
                api.delete("/api/v1/connections/" + close);
                if (!client.json) {
                    System.out.println("closed connection " + close);
                }
                return ExitCodes.OK;
            }
            JsonNode list = api.get("/api/v1/connections"
                    + (forward == null ? "" : "?forward=" + URLEncoder.encode(forward, StandardCharsets.UTF_8)));
            if (client.json) {
                System.out.println(list.toPrettyString());
                return ExitCodes.OK;
            }
            Table t = new Table("ID", "FORWARD", "PROTO", "CLIENT", "TARGET", "IN", "OUT", "AGE");
            for (JsonNode c : list) {
                t.row(
                        c.path("id").asLong(),
                        c.path("forward").asText(),
                        c.path("protocol").asText(),
                        c.path("client").asText(),
                        c.path("target").asText(),
                        Table.bytes(c.path("bytes-in").asLong()),
                        Table.bytes(c.path("bytes-out").asLong()),
                        c.path("age-seconds").asLong() + " s");
            }
            t.print(System.out);
            return ExitCodes.OK;
        } catch (ApiClient.Failure e) {
            return ClientOptions.fail(e, System.err);
        }
    }
}
