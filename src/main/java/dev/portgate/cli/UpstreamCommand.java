package dev.portgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code portgate upstream status|map|unmap}: the ports portgate holds open on the router above. */
@Command(
        name = "upstream",
        mixinStandardHelpOptions = true,
        description = "Show or change the ports portgate opens on the router above it.",
        subcommands = {UpstreamCommand.Status.class, UpstreamCommand.Map.class, UpstreamCommand.Unmap.class})
final class UpstreamCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        return new Status().run(client);
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "The router, its external address and each mapping.")
    static final class Status implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            return run(client);
        }

        Integer run(ClientOptions options) {
            try {
                print(options.client().get("/api/v1/upstream"), options.json);
                return ExitCodes.OK;
            } catch (ApiClient.Failure e) {
                return ClientOptions.fail(e, System.err);
            }
        }
    }

    @Command(
            name = "map",
            mixinStandardHelpOptions = true,
            description = "Open a forward's ports (or one port) on the router above.")
    static final class Map implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "FORWARD|PROTO/PORT", description = "a forward's name, or a port like tcp/8080")
        String what;

        @Override
        public Integer call() {
            return change(client, "/api/v1/upstream/map", what);
        }
    }

    @Command(name = "unmap", mixinStandardHelpOptions = true, description = "Close what `upstream map` opened.")
    static final class Unmap implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "FORWARD|PROTO/PORT", description = "a forward's name, or a port like tcp/8080")
        String what;

        @Override
        public Integer call() {
            return change(client, "/api/v1/upstream/unmap", what);
        }
    }

    private static Integer change(ClientOptions options, String path, String what) {
        try {
            var body = ApiClient.JSON.createObjectNode().put("forward", what);
            print(options.client().post(path, body), options.json);
            return ExitCodes.OK;
        } catch (ApiClient.Failure e) {
            return ClientOptions.fail(e, System.err);
        }
    }

    private static void print(JsonNode s, boolean json) {
        if (json) {
            System.out.println(s.toPrettyString());
            return;
        }
        if (!s.path("configured").asBoolean()) {
            System.out.println("no upstream section in the config: nothing is opened on the router above");
            return;
        }
        System.out.println("router:           "
                + (s.path("router").asText().isEmpty()
                        ? "(looking, method " + s.path("method").asText() + ")"
                        : s.path("router").asText()));
        System.out.println("external address: "
                + (s.path("external-address").asText().isEmpty()
                        ? "unknown"
                        : s.path("external-address").asText()));
        if (!s.path("error").asText().isEmpty()) {
            System.out.println("last error:       " + s.path("error").asText());
        }
        Table t = new Table("FORWARD", "PROTO", "PORT", "EXTERNAL", "STATE", "REMAINING");
        for (JsonNode m : s.path("mappings")) {
            t.row(
                    m.path("forward").asText(),
                    m.path("protocol").asText(),
                    m.path("internal-port").asInt(),
                    m.path("external-port").asInt() == 0
                            ? "-"
                            : m.path("external-port").asInt(),
                    m.path("state").asText()
                            + (m.path("error").asText().isEmpty()
                                    ? ""
                                    : ": " + m.path("error").asText()),
                    m.has("remaining-seconds") ? m.path("remaining-seconds").asLong() + " s" : "-");
        }
        t.print(System.out);
    }
}
