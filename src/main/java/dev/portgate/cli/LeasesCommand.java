package dev.portgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code portgate leases}: the ports devices opened with UPnP, NAT-PMP and PCP; {@code --delete NAME} removes one. */
@Command(
        name = "leases",
        mixinStandardHelpOptions = true,
        description = "List the ports devices opened with UPnP, NAT-PMP or PCP, or delete one.")
final class LeasesCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Option(
            names = "--delete",
            paramLabel = "NAME",
            description = "delete the lease with this name (e.g. lease-tcp-8080)")
    String delete;

    @Override
    public Integer call() {
        try {
            ApiClient api = client.client();
            if (delete != null) {
                api.delete("/api/v1/leases/" + URLEncoder.encode(delete, StandardCharsets.UTF_8));
                if (!client.json) {
                    System.out.println("deleted lease " + delete);
                }
                return ExitCodes.OK;
            }
            JsonNode list = api.get("/api/v1/leases");
            if (client.json) {
                System.out.println(list.toPrettyString());
                return ExitCodes.OK;
            }
            Table t = new Table("NAME", "PROTO", "EXTERNAL", "DEVICE", "INTERNAL", "VIA", "REMAINING", "DESCRIPTION");
            for (JsonNode l : list) {
                t.row(
                        l.path("name").asText(),
                        l.path("protocol").asText(),
                        l.path("external-port").asInt(),
                        l.path("device").asText(),
                        l.path("internal-port").asInt(),
                        l.path("via").asText(),
                        l.has("remaining-seconds") ? l.path("remaining-seconds").asLong() + " s" : "-",
                        l.path("description").asText());
            }
            t.print(System.out);
            return ExitCodes.OK;
        } catch (ApiClient.Failure e) {
            return ClientOptions.fail(e, System.err);
        }
    }
}
