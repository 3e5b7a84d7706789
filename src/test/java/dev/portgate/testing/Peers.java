package dev.portgate.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds real peer programs (curl, socat, …). Where one is missing, a test is skipped with a clear
 * message on a laptop, but fails when run with -Dportgate.interop=required, as CI does.
 */
public final class Peers {

    private Peers() {}

    public static boolean required() {
        return "required".equals(System.getProperty("portgate.interop"));
    }

    /** The path of {@code program} on PATH (or /usr/sbin), or the test is skipped/failed. */
    public static String require(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        unavailable(program + " is not installed (apt-get install it, or run .ci/run)");
        return null;
    }

    /** Skips (or, in CI, fails) the test because something it needs is not there. */
    public static void unavailable(String why) {
        if (required()) {
            Assertions.fail("interop peer missing, and -Dportgate.interop=required: " + why);
        }
        Assumptions.abort("skipped: " + why);
    }
}
