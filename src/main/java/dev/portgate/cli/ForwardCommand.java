package dev.portgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code portgate forward add|list|show|edit|rm|enable|disable}, through the running gateway's API. */
@Command(
        name = "forward",
        mixinStandardHelpOptions = true,
        description = "Manage forwards of a running gateway.",
        subcommands = {
            ForwardCommand.Add.class,
            ForwardCommand.ListForwards.class,
            ForwardCommand.Show.class,
            ForwardCommand.Edit.class,
            ForwardCommand.Remove.class,
            ForwardCommand.Enable.class,
            ForwardCommand.Disable.class,
            ForwardCommand.ListPresets.class
        })
final class ForwardCommand {

    static String path(String name) {
        return "/api/v1/forwards/"
                + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static void printForwards(JsonNode list, PrintStream out) {
        Table t = new Table("NAME", "PROTO", "LISTEN", "TARGET", "STATE", "PLANE", "CONNS", "IN", "OUT", "ORIGIN");
        for (JsonNode f : list) {
            JsonNode s = f.path("stats");
            boolean proxy = f.path("kind").asText().equals("dynamic");
            String protocol = f.path("protocol").asText();
            if (proxy) {
                StringBuilder p = new StringBuilder();
                f.path("protocols")
                        .forEach(x -> p.append(p.length() == 0 ? "" : "+").append(x.asText()));
                protocol = p.toString();
            }
            StringBuilder permit = new StringBuilder();
            f.path("permit-open")
                    .forEach(x -> permit.append(permit.length() == 0 ? "" : ",").append(x.asText()));
            String target = proxy ? "proxy to " + permit : f.path("target").asText();
            t.row(
                    f.path("name").asText(),
                    protocol,
                    f.path("listen").asText(),
                    target,
                    f.path("state").asText()
                            + (f.has("error") ? " (" + f.path("error").asText() + ")" : "")
                            + (f.has("warning") ? " (" + f.path("warning").asText() + ")" : ""),
                    f.path("plane").asText("-")
                            + (f.has("plane-reason")
                                    ? " (" + f.path("plane-reason").asText() + ")"
                                    : ""),
                    s.path("connections-active").asLong(),
                    Table.bytes(s.path("bytes-in").asLong()),
                    Table.bytes(s.path("bytes-out").asLong()),
                    f.path("origin").asText());
        }
        t.print(out);
    }

    /** "added forward "x": tcp a -> b (listening)", or the JSON. */
    static int printChanged(ClientOptions client, String verb, String name, JsonNode f) {
        boolean failed = f.path("state").asText().equals("failed");
        if (client.json) {
            System.out.println(f.toPrettyString());
        } else {
            System.out.println(verb + " forward \"" + name + "\": "
                    + f.path("protocol").asText() + " " + f.path("listen").asText() + " -> "
                    + f.path("target").asText() + " (" + f.path("state").asText()
                    + (failed ? ": " + f.path("error").asText() : "") + ")");
        }
        for (JsonNode r : f.path("risks")) {
            System.err.println("warning: " + r.path("text").asText());
        }
        // Saved, but not running: a script must not take it for a success.
        return failed ? ExitCodes.FAILED : ExitCodes.OK;
    }

    static void printOne(JsonNode f, boolean json, PrintStream out) {
        if (json) {
            out.println(f.toPrettyString());
            return;
        }
        Table t = new Table("FIELD", "VALUE");
        f.properties().forEach(e -> {
            if (!e.getKey().equals("stats")) {
                JsonNode v = e.getValue();
                t.row(e.getKey(), v.isArray() ? arrayText(v) : v.asText());
            }
        });
        f.path("stats").properties().forEach(e -> t.row(e.getKey(), e.getValue().asText()));
        t.print(out);
    }

    private static String arrayText(JsonNode array) {
        StringBuilder b = new StringBuilder();
        array.forEach(x -> b.append(b.length() == 0 ? "" : ", ").append(x.asText()));
        return b.toString();
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = {
                "Add a forward. Give --listen and --target, or ssh's -L [bind:]port:host:hostport, or a --preset",
                "(portgate forward presets lists them) with --to HOST.",
                "Examples:",
                "  portgate forward add web --listen 8080 --target 192.168.1.5:80",
                "  portgate forward add web -L 8080:192.168.1.5:80",
                "  portgate forward add mc --preset minecraft-java --to 192.168.1.20"
            })
    static final class Add implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(
                names = "--preset",
                paramLabel = "ID",
                description = "a game or service's ports and protocol (see: portgate forward presets)")
        String preset;

        @Option(names = "--to", paramLabel = "HOST", description = "the device a --preset forwards to")
        String to;

        @ArgGroup(exclusive = false)
        ForwardFields fields = new ForwardFields();

        @Override
        public Integer call() {
            return client.call(api -> {
                if (preset == null) {
                    if (fields.listen == null && fields.sshStyle == null) {
                        throw new IllegalArgumentException(
                                "give --listen and --target, or -L [bind:]port:host:hostport, or --preset ID --to HOST");
                    }
                    return printChanged(client, "added", name, api.post("/api/v1/forwards", fields.toJson(name)));
                }
                return addPreset(api);
            });
        }

        /** One forward per protocol and port range the preset needs: NAME, then NAME-PROTO-PORT for the others. */
        private int addPreset(ApiClient api) throws ApiClient.Failure {
            JsonNode chosen = null;
            for (JsonNode p : api.get("/api/v1/presets")) {
                if (p.path("id").asText().equals(preset)) {
                    chosen = p;
                }
            }
            if (chosen == null) {
                throw new ApiClient.Failure(
                        400, "there is no preset \"" + preset + "\" — see: portgate forward presets", null);
            }
            if (to == null && fields.target == null) {
                throw new ApiClient.Failure(400, "--preset needs --to HOST: the device that gets the ports", null);
            }
            if (chosen.has("risk")) {
                System.err.println("risk: " + chosen.path("risk").asText());
            }
            int exit = ExitCodes.OK;
            boolean first = true;
            for (JsonNode part : chosen.path("ports")) {
                String ports = part.path("ports").asText();
                String n = first ? name : name + "-" + part.path("protocol").asText() + "-" + ports.split("-")[0];
                first = false;
                var json = fields.toJson(n);
                json.put("protocol", part.path("protocol").asText());
                json.put("listen", fields.listen != null ? fields.listen : ports);
                json.put("target", (to != null ? ForwardFields.bracket(to) : fields.target) + ":" + ports);
                exit = Math.max(exit, printChanged(client, "added", n, api.post("/api/v1/forwards", json)));
            }
            return exit;
        }
    }

    @Command(
            name = "presets",
            mixinStandardHelpOptions = true,
            description = "List the games and services --preset knows, with their ports.")
    static final class ListPresets implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            return client.call(api -> {
                JsonNode list = api.get("/api/v1/presets");
                if (client.json) {
                    System.out.println(list.toPrettyString());
                    return ExitCodes.OK;
                }
                Table t = new Table("ID", "NAME", "PORTS", "CATEGORY");
                for (JsonNode p : list) {
                    StringBuilder ports = new StringBuilder();
                    p.path("ports").forEach(x -> ports.append(ports.length() == 0 ? "" : ", ")
                            .append(x.path("protocol").asText())
                            .append(' ')
                            .append(x.path("ports").asText()));
                    t.row(
                            p.path("id").asText(),
                            p.path("name").asText(),
                            ports,
                            p.path("category").asText());
                }
                t.print(System.out);
                return ExitCodes.OK;
            });
        }
    }

    @Command(
            name = "list",
            aliases = "ls",
            mixinStandardHelpOptions = true,
            description = "List forwards with their state and traffic.")
    static final class ListForwards implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            return client.call(api -> {
                JsonNode list = api.get("/api/v1/forwards");
                if (client.json) {
                    System.out.println(list.toPrettyString());
                } else {
                    printForwards(list, System.out);
                }
                return ExitCodes.OK;
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one forward.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return client.call(api -> {
                printOne(api.get(path(name)), client.json, System.out);
                return ExitCodes.OK;
            });
        }
    }

    @Command(
            name = "edit",
            mixinStandardHelpOptions = true,
            description = "Change some fields of a forward; the others stay.")
    static final class Edit implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @ArgGroup(exclusive = false, multiplicity = "1")
        ForwardFields fields;

        @Override
        public Integer call() {
            return client.call(
                    api -> printChanged(client, "changed", name, api.patch(path(name), fields.toJson(null))));
        }
    }

    @Command(
            name = "rm",
            aliases = "delete",
            mixinStandardHelpOptions = true,
            description = "Delete a forward (its connections close).")
    static final class Remove implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return client.call(api -> {
                api.delete(path(name));
                if (client.json) {
                    System.out.println(ApiClient.JSON
                            .createObjectNode()
                            .put("deleted", name)
                            .toPrettyString());
                } else {
                    System.out.println("deleted forward \"" + name + "\"");
                }
                return ExitCodes.OK;
            });
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a forward.")
    static final class Enable implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return toggle(client, name, true);
        }
    }

    @Command(
            name = "disable",
            mixinStandardHelpOptions = true,
            description = "Disable a forward: its listeners and connections close.")
    static final class Disable implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return toggle(client, name, false);
        }
    }

    static int toggle(ClientOptions client, String name, boolean on) {
        return client.call(api -> {
            JsonNode f = api.post(path(name) + (on ? "/enable" : "/disable"), ApiClient.JSON.createObjectNode());
            if (client.json) {
                System.out.println(f.toPrettyString());
            } else {
                System.out.println((on ? "enabled" : "disabled") + " forward \"" + name + "\" ("
                        + f.path("state").asText() + ")");
            }
            return ExitCodes.OK;
        });
    }
}
