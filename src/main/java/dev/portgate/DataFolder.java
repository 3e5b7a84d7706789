package dev.portgate;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** The folder where a gateway keeps its state; locked so two gateways never share one. */
public final class DataFolder implements AutoCloseable {

    private final Path path;
    private final FileChannel lockFile;
    private final FileLock lock;

    public DataFolder(Path path) throws IOException {
        this.path = path.toAbsolutePath().normalize();
        if (!Files.isDirectory(this.path)) {
            Files.createDirectories(this.path);
            try {
                Files.setPosixFilePermissions(this.path, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the folder keeps its default permissions
            }
        }
        this.lockFile = FileChannel.open(
                this.path.resolve("portgate.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        this.lock = lockFile.tryLock();
        if (lock == null) {
            lockFile.close();
            throw new IOException(
                    "data folder " + this.path + " is in use by another portgate — stop it, or give another --data");
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        lock.release();
        lockFile.close();
    }
}
