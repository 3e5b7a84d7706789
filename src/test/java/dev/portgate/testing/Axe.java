package dev.portgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * axe-core (from the npm registry, fetched once into target/npm) run inside the page: the accessibility
 * rules a screen reader or keyboard user depends on.
 */
public final class Axe {

    public static final String VERSION = "4.10.3";
    private static final Path SCRIPT = Path.of("target", "npm", "node_modules", "axe-core", "axe.min.js");
    private static String script;

    private Axe() {}

    private static synchronized String script() throws IOException, InterruptedException {
        if (script == null) {
            if (!Files.exists(SCRIPT)) {
                String npm = Peers.require("npm");
                Processes.Result r = Processes.run(
                        Duration.ofMinutes(3),
                        List.of(
                                npm,
                                "install",
                                "--no-audit",
                                "--no-fund",
                                "--no-save",
                                "--prefix",
                                Path.of("target", "npm").toString(),
                                "axe-core@" + VERSION));
                if (r.exit() != 0 || !Files.exists(SCRIPT)) {
                    Peers.unavailable("npm could not fetch axe-core " + VERSION + ": "
                            + r.stderr().strip());
                }
            }
            script = Files.readString(SCRIPT);
        }
        return script;
    }

    /** The serious and critical violations on the page as it is now, one line each: rule, impact, where. */
    public static List<String> seriousViolations(ChromeDriver driver) throws IOException, InterruptedException {
        driver.executeScript(script());
        Object json = driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']})"
                + ".then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify([{id: 'axe-error',"
                + " impact: 'critical', help: String(e), nodes: []}])));");
        List<String> out = new ArrayList<>();
        for (JsonNode v : new ObjectMapper().readTree((String) json)) {
            String impact = v.path("impact").asText();
            if (impact.equals("serious") || impact.equals("critical")) {
                List<String> where = new ArrayList<>();
                v.path("nodes").forEach(n -> where.add(n.path("target").toString()));
                out.add(v.path("id").asText() + " (" + impact + "): "
                        + v.path("help").asText() + " at " + where);
            }
        }
        return out;
    }
}
