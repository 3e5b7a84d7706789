package dev.portgate;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

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
        checkPrivate(this.path);
        this.lockFile = FileChannel.open(
                this.path.resolve("portgate.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        this.lock = lockFile.tryLock();
        if (lock == null) {
            lockFile.close();
            throw new IOException(
                    "data folder " + this.path + " is in use by another portgate — stop it, or give another --data");
        }
    }

    /**
     * Refuses a folder that another user could write to or owns: its files decide where the CLI sends
     * the API token and hold the store, so whoever can write there can steal the token or change rules.
     */
    public static void checkPrivate(Path folder) throws IOException {
        checkPrivate(folder, false);
    }

    /**
     * As {@link #checkPrivate(Path)}, for a CLI command that only reads the folder's URL and token: root may
     * also read the folder of the service user (the package's /var/lib/portgate). Its owner could mislead root's
     * command, but learns nothing: the token in the folder is already the owner's.
     */
    public static void checkPrivateForReading(Path folder) throws IOException {
        checkPrivate(folder, true);
    }

    private static void checkPrivate(Path folder, boolean rootMayRead) throws IOException {
        Path real = folder.toRealPath();
        Set<PosixFilePermission> mode;
        UserPrincipal owner;
        try {
            mode = Files.getPosixFilePermissions(real);
            owner = Files.getOwner(real);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: nothing to check
        }
        if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("data folder " + real + " is writable by others (mode "
                    + PosixFilePermissions.toString(mode)
                    + "): anyone could change where the API token goes — run: chmod 700 "
                    + real);
        }
        UserPrincipal me = real.getFileSystem()
                .getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
        if (!owner.equals(me) && !(rootMayRead && runsAsRoot())) {
            throw new IOException("data folder " + real + " belongs to " + owner.getName() + ", not to "
                    + me.getName() + " who runs portgate — run: chown " + me.getName() + " " + real
                    + ", or give another --data");
        }
    }

    private static boolean runsAsRoot() {
        try {
            // /proc/self belongs to the process's own user: no module beyond java.base needed to ask
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
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
