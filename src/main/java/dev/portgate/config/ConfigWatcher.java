package dev.portgate.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when the config file changes. Watches the folder, not the file, so editors that
 * save by renaming a new file over the old one are seen too; a burst of events is one reload.
 */
public final class ConfigWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final long SETTLE_MILLIS = 250;

    private final Path file;
    private final Runnable onChange;
    private final WatchService watch;
    private final Thread thread;

    public ConfigWatcher(Path file, Runnable onChange) throws IOException {
        this.file = file.toAbsolutePath().normalize();
        this.onChange = onChange;
        this.watch = FileSystems.getDefault().newWatchService();
        this.file
                .getParent()
                .register(
                        watch,
                        StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = new Thread(this::run, "config-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watch.take();
                boolean ours = touchesFile(key);
                // Let the writer finish, and fold what follows into this one reload.
                WatchKey more;
                while ((more = watch.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                    ours |= touchesFile(more);
                }
                if (ours) {
                    onChange.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("config watch stopped: {}", e.toString());
        }
    }

    private boolean touchesFile(WatchKey key) {
        boolean hit = false;
        for (WatchEvent<?> e : key.pollEvents()) {
            if (e.context() instanceof Path p && p.getFileName().equals(file.getFileName())) {
                hit = true;
            }
        }
        key.reset();
        return hit;
    }

    @Override
    public void close() throws IOException {
        watch.close();
        thread.interrupt();
    }
}
