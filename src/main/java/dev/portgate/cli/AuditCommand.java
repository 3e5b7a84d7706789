package dev.portgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code portgate audit}: the security report — every door, who can reach it, how it is guarded, and what is risky. */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description =
                "Print the security report: each forward's reach and guard, warnings for risky services, bans. Exits 1 if there are warnings.")
final class AuditCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        try {
            ApiClient api = client.client();
            JsonNode report = api.get("/api/v1/security");
            JsonNode bans = api.get("/api/v1/bans");
            if (client.json) {
                var o = ApiClient.JSON.createObjectNode();
                o.set("report", report);
                o.set("bans", bans);
                System.out.println(o.toPrettyString());
                return report.path("warnings").asInt() > 0 ? ExitCodes.INVALID : ExitCodes.OK;
            }
            Table t = new Table("FORWARD", "LISTEN", "STATE", "REACH", "ACCESS", "SERVICE");
            for (JsonNode f : report.path("forwards")) {
                t.row(
                        f.path("forward").asText(),
                        f.path("listen").asText(),
                        f.path("state").asText(),
                        f.path("reach").asText(),
                        f.path("access").asText() + (f.path("guarded").asBoolean() ? " (guarded)" : ""),
                        f.path("service").asText().isEmpty()
                                ? "-"
                                : f.path("service").asText());
            }
            t.print(System.out);
            System.out.println();
            for (JsonNode f : report.path("forwards")) {
                for (JsonNode w : f.path("warnings")) {
                    System.out.println("WARNING " + f.path("forward").asText() + ": " + w.asText());
                }
            }
            System.out.println("firewall: allow "
                    + (report.path("firewall").path("allow").isEmpty()
                            ? "everyone"
                            : report.path("firewall").path("allow"))
                    + ", deny " + report.path("firewall").path("deny") + "; bans "
                    + report.path("firewall").path("ban").asText());
            System.out.println(bans.isEmpty() ? "banned: nobody" : "banned:");
            for (JsonNode b : bans) {
                System.out.println("  " + b.path("address").asText() + " until "
                        + b.path("until").asText() + " — " + b.path("reason").asText());
            }
            return report.path("warnings").asInt() > 0 ? ExitCodes.INVALID : ExitCodes.OK;
        } catch (ApiClient.Failure e) {
            return ClientOptions.fail(e, System.err);
        }
    }
}
