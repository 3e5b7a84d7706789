package dev.portgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code portgate status}: is the gateway up, how many forwards, how much traffic. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show the running gateway's state and traffic.")
final class StatusCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        try {
            ApiClient api = client.client();
            JsonNode s = api.get("/api/v1/stats");
            JsonNode forwards = api.get("/api/v1/forwards");
            if (client.json) {
                System.out.println(s.toPrettyString());
                return ExitCodes.OK;
            }
            System.out.printf(
                    "portgate is running (up %d s)%n", s.path("uptime-seconds").asLong());
            System.out.printf(
                    "forwards: %d (%d listening, %d failed, %d disabled)%n",
                    s.path("forwards").asInt(),
                    s.path("listening").asInt(),
                    s.path("failed").asInt(),
                    s.path("disabled").asInt());
            System.out.printf(
                    "connections: %d open; traffic: %s in, %s out; now %s/s in, %s/s out; %d refused%n",
                    s.path("connections-active").asLong(),
                    Table.bytes(s.path("bytes-in").asLong()),
                    Table.bytes(s.path("bytes-out").asLong()),
                    Table.bytes(s.path("rate-in").asLong()),
                    Table.bytes(s.path("rate-out").asLong()),
                    s.path("refused").asLong());
            JsonNode refused = s.path("config-refused");
            if (!refused.isMissingNode()) {
                System.out.printf(
                        "CONFIG REFUSED: %s was edited at %s and refused whole; the rules from before stay:%n",
                        refused.path("file").asText(), refused.path("at").asText());
                refused.path("problems").forEach(p -> System.out.println("  " + p.asText()));
            }
            JsonNode endpoints = api.get("/api/v1/ssh-endpoints");
            for (JsonNode e : endpoints) {
                System.out.printf(
                        "ssh-endpoint %s (%s): %s%s%s%n",
                        e.path("name").asText(),
                        e.path("target").asText(),
                        e.path("state").asText(),
                        e.has("retry-in-seconds")
                                ? " in " + e.path("retry-in-seconds").asLong() + " s"
                                : "",
                        e.has("last-error") ? " — " + e.path("last-error").asText() : "");
            }
            System.out.println();
            ForwardCommand.printForwards(forwards, System.out);
            return s.path("failed").asInt() > 0 || !refused.isMissingNode() ? ExitCodes.INVALID : ExitCodes.OK;
        } catch (ApiClient.Failure e) {
            return ClientOptions.fail(e, System.err);
        }
    }
}
