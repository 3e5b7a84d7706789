package dev.portgate.testing;

import dev.portgate.Gateway;
import dev.portgate.config.ConfigException;
import dev.portgate.config.ConfigFile;
import dev.portgate.net.ForwardStats;
import dev.portgate.rules.ChangeResult;
import dev.portgate.rules.ForwardStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.Assertions;

/** A gateway running in the test's JVM, configured from YAML text. */
public final class TestGateway implements AutoCloseable {

    private final Gateway gateway;
    private final Path dir;

    public TestGateway(String yaml) throws IOException {
        this(yaml, Files.createTempDirectory("portgate-test"));
    }

    /** A gateway whose data lives in {@code dir}/data: a second one on the same dir is a restart. */
    public TestGateway(String yaml, Path dir) throws IOException {
        this.dir = dir;
        gateway = new Gateway(
                new Gateway.Settings(null, dir.resolve("data"), Duration.ofSeconds(2), 2, Duration.ofSeconds(3), null));
        apply(yaml);
    }

    public void apply(String yaml) {
        try {
            ChangeResult r = gateway.apply(ConfigFile.parse(yaml, "test.yaml"));
            Assertions.assertThat(r).isInstanceOf(ChangeResult.Applied.class);
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    public ForwardStatus status(String name) {
        return gateway.reconciler().status(name);
    }

    public ForwardStats.Snapshot stats(String name) {
        ForwardStatus s = status(name);
        Assertions.assertThat(s).as("status of " + name).isNotNull();
        Assertions.assertThat(s.active()).as(name + " is running").isNotNull();
        return s.active().stats().snapshot();
    }

    public Path dir() {
        return dir;
    }

    public Gateway gateway() {
        return gateway;
    }

    @Override
    public void close() {
        gateway.close();
    }
}
