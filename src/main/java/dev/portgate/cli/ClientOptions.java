package dev.portgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command that talks to a running gateway shares, and how their failures exit. */
final class ClientOptions {

    /** The gateway could not be reached, or refused our credentials. */
    static final int UNREACHABLE = 4;

    @Option(
            names = {"-d", "--data"},
            paramLabel = "DIR",
            defaultValue = "${env:PORTGATE_DATA:-portgate-data}",
            description =
                    "the running gateway's data folder: its URL and token are read there (default: $PORTGATE_DATA, else portgate-data)")
    Path data;

    @Option(
            names = "--api",
            paramLabel = "URL",
            description = "the gateway's console/API URL, instead of the one in the data folder")
    String api;

    @Option(names = "--json", description = "print JSON (for scripts) instead of a table")
    boolean json;

    ApiClient client() throws ApiClient.Failure {
        return ApiClient.from(data, api);
    }

    /** A client action that may fail against the API. */
    @FunctionalInterface
    interface Action {
        int run(ApiClient api) throws ApiClient.Failure;
    }

    /** Runs an action against the gateway; a failure is printed and becomes the exit code. */
    int call(Action action) {
        try {
            return action.run(client());
        } catch (ApiClient.Failure e) {
            return json ? failJson(e) : fail(e, System.err);
        } catch (IllegalArgumentException e) {
            // The command line itself is wrong (an option the API was never asked about).
            if (json) {
                System.out.println(ApiClient.JSON
                        .createObjectNode()
                        .put("error", e.getMessage())
                        .toPrettyString());
            } else {
                System.err.println("portgate: " + e.getMessage());
            }
            return ExitCodes.USAGE;
        }
    }

    /** With --json a script gets the error as JSON on standard output too, and the same exit code. */
    static int failJson(ApiClient.Failure f) {
        ObjectNode o = ApiClient.JSON.createObjectNode();
        o.put("error", f.getMessage());
        o.put("status", f.status);
        if (f.body != null && f.body.has("problems")) {
            o.set("problems", f.body.get("problems"));
        }
        System.out.println(o.toPrettyString());
        return exitCode(f);
    }

    private static int exitCode(ApiClient.Failure f) {
        return f.status == 0 || f.status == 401 || f.status == 403 ? UNREACHABLE : ExitCodes.INVALID;
    }

    /** Prints a failure the way a person can act on it; returns the exit code. */
    static int fail(ApiClient.Failure f, PrintStream err) {
        err.println("portgate: " + f.getMessage());
        if (f.body != null && f.body.has("problems")) {
            for (JsonNode p : f.body.get("problems")) {
                String m = p.path("message").asText();
                if (!m.equals(f.getMessage())) {
                    err.println("  " + m);
                }
            }
        }
        return exitCode(f);
    }
}
