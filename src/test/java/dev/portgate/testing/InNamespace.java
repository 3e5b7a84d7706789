package dev.portgate.testing;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs a piece of test code on a thread moved into a network namespace ({@code setns}): the sockets it opens
 * live in that namespace for good, whichever thread uses them later. So test peers are plain Java, measured
 * precisely, with no helper process per namespace.
 */
public final class InNamespace {

    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY = 0;

    interface LibC extends Library {
        LibC C = Native.load("c", LibC.class);

        int open(String path, int flags);

        int setns(int fd, int nstype);

        int close(int fd);
    }

    private InNamespace() {}

    /** {@code work}'s result, run on a new thread inside the namespace {@code ns} (from {@code ip netns add}). */
    public static <T> T call(String ns, Callable<T> work) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            int fd = LibC.C.open("/var/run/netns/" + ns, O_RDONLY);
            if (fd < 0) {
                throw new IllegalStateException("no network namespace " + ns);
            }
            try {
                if (LibC.C.setns(fd, CLONE_NEWNET) != 0) {
                    throw new IllegalStateException(
                            "setns into " + ns + " failed (errno " + Native.getLastError() + ")");
                }
            } finally {
                LibC.C.close(fd);
            }
            return work.call();
        });
        Thread t = new Thread(task, "in-" + ns);
        t.setDaemon(true);
        t.start();
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    /** Starts {@code work} on a thread that stays inside {@code ns} (a server loop); returns the thread. */
    public static Thread run(String ns, String name, Runnable work) {
        Thread t = new Thread(
                () -> {
                    int fd = LibC.C.open("/var/run/netns/" + ns, O_RDONLY);
                    if (fd < 0 || LibC.C.setns(fd, CLONE_NEWNET) != 0) {
                        throw new IllegalStateException("cannot enter network namespace " + ns);
                    }
                    LibC.C.close(fd);
                    work.run();
                },
                name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
