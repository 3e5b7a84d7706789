package dev.portgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `portgate check` and the CLI's exit codes, through the real jar. */
class CheckIT {

    @TempDir
    Path dir;

    @Test
    void aValidConfigListsItsForwardsAndExitsZero() throws Exception {
        Path cfg = dir.resolve("ok.yaml");
        Files.writeString(
                cfg,
                "forwards:\n  - name: web\n    listen: 8080\n    target: 192.168.1.5:80\n"
                        + "  - name: game\n    protocol: udp\n    listen: 27015-27020\n    target: 192.168.1.7:27015-27020\n");
        Processes.Result r = JarProcess.run(dir, "check", "--config", cfg.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains("OK, 2 forwards")
                .contains("web: tcp 0.0.0.0:8080 -> 192.168.1.5:80")
                .contains("game: udp 0.0.0.0:27015-27020 -> 192.168.1.7:27015-27020");
    }

    @Test
    void anInvalidConfigPrintsEveryProblemAndExitsOne() throws Exception {
        Path cfg = dir.resolve("bad.yaml");
        Files.writeString(
                cfg,
                "forwards:\n  - name: web\n    listen: 0\n    target: 192.168.1.5:80\n"
                        + "  - name: cam\n    listen: 8080\n    target: 192.168.1.6\n    colour: blue\n");
        Processes.Result r = JarProcess.run(dir, "check", "-c", cfg.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr())
                .contains(cfg + ":3: forward \"web\": listen: port 0 is out of range — use 1-65535")
                .contains(
                        cfg
                                + ":7: forward \"cam\": target: \"192.168.1.6\" has no host — write host:port, e.g. 192.168.1.5:80")
                .contains(cfg + ":8: forward \"cam\": unknown key \"colour\"")
                .contains("3 problems");
    }

    @Test
    void aMissingFileAndBadUsageHaveTheirOwnExitCodes() throws Exception {
        Processes.Result missing =
                JarProcess.run(dir, "check", "-c", dir.resolve("nope.yaml").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.stderr()).contains("cannot read the file");
        Processes.Result usage = JarProcess.run(dir, "check");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.stderr()).contains("Missing required option: '--config=FILE'");
        Processes.Result help = JarProcess.run(dir, "serve", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--shutdown-grace").contains("--config");
    }
}
