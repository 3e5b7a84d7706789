package dev.portgate.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Files that every node of a cluster must hold alike — the ACME account key, the certificates one node obtained —
 * kept in the shared store beside their copy in the data folder. Alone, the data folder is all there is.
 */
public interface FileShelf {

    /** Whether other nodes share these files. */
    boolean shared();

    /**
     * Brings the store's copy of {@code file} into the data folder, when the store has one that differs; false when
     * the store has none.
     */
    boolean pull(Path file) throws IOException;

    /** Puts {@code file} into the store for the other nodes. */
    void push(Path file) throws IOException;

    /** Takes {@code file} out of the store (the data folder's copy is the caller's). */
    void remove(Path file) throws IOException;

    /**
     * Runs {@code work} while no other node runs work under the same {@code key} (an advisory lock): false, without
     * running it, when another node holds the key now.
     */
    boolean exclusively(String key, Work work) throws Exception;

    /** Work under a key. */
    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    /** A gateway on its own: the data folder alone. */
    FileShelf LOCAL = new FileShelf() {
        @Override
        public boolean shared() {
            return false;
        }

        @Override
        public boolean pull(Path file) {
            return false; // nothing beyond the data folder
        }

        @Override
        public void push(Path file) {
            // nothing beyond the data folder
        }

        @Override
        public void remove(Path file) {
            // nothing beyond the data folder
        }

        @Override
        public boolean exclusively(String key, Work work) throws Exception {
            work.run();
            return true;
        }
    };
}
