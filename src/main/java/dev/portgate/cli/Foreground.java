package dev.portgate.cli;

import dev.portgate.Gateway;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/** A gateway a one-liner runs in the foreground: no console, state in a temporary folder, stopped by Ctrl-C. */
final class Foreground {

    /** Says what the tunnels do until {@code stopped}; may end them ({@code shutdown}) with an exit code. */
    interface Watcher {
        int watch(Gateway gateway, CountDownLatch stopped, Runnable shutdown) throws InterruptedException;
    }

    private Foreground() {}

    static Gateway gateway(String name) throws IOException {
        return new Gateway(new Gateway.Settings(
                null,
                Files.createTempDirectory(name),
                Duration.ofSeconds(5),
                Runtime.getRuntime().availableProcessors(),
                Duration.ofSeconds(10),
                null));
    }

    /** Runs until interrupted (a clean shutdown, exit 0) or until the watcher ends it with its code. */
    static int run(Gateway gateway, Watcher watcher) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean down = new AtomicBoolean();
        Runnable shutdown = () -> {
            if (down.compareAndSet(false, true)) {
                gateway.shutdown();
            }
            stopped.countDown();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "shutdown"));
        return watcher.watch(gateway, stopped, shutdown);
    }
}
