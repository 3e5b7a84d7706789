package dev.portgate.kernel;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * nftables through libnftables, the library the {@code nft} command is a thin shell around: a buffer
 * of nft commands runs as one netlink transaction (all of it or none), with no process started per
 * change. One context, used under this object's lock (libnftables contexts are not thread-safe).
 */
final class Nft implements AutoCloseable {

    private static final int OUTPUT_JSON = 1 << 4;
    private static final String LIBRARY = "libnftables.so.1";
    private static volatile String loadError;
    private static final boolean LOADED = bind();

    private Pointer ctx;

    private Nft(Pointer ctx) {
        this.ctx = ctx;
    }

    /** A context, or an exception saying why libnftables cannot be used here. */
    static Nft open() throws NftException {
        if (!LOADED) {
            throw new NftException("libnftables is not installed (" + loadError + ") — apt-get install libnftables1");
        }
        Pointer ctx = nft_ctx_new(0);
        if (ctx == null) {
            throw new NftException("libnftables could not make a context");
        }
        nft_ctx_buffer_output(ctx);
        nft_ctx_buffer_error(ctx);
        return new Nft(ctx);
    }

    private static boolean bind() {
        try {
            Native.register(Nft.class, NativeLibrary.getInstance(LIBRARY));
            return true;
        } catch (LinkageError e) {
            loadError = e.getMessage();
            return false;
        }
    }

    /** Runs {@code commands} as one transaction; returns what nft printed. */
    synchronized String run(String commands) throws NftException {
        return run(commands, false);
    }

    /** Runs a listing command and returns its JSON. */
    synchronized String json(String command) throws NftException {
        return run(command, true);
    }

    private String run(String commands, boolean json) throws NftException {
        if (ctx == null) {
            throw new NftException("closed");
        }
        nft_ctx_output_set_flags(ctx, json ? OUTPUT_JSON : 0);
        int rc = nft_run_cmd_from_buffer(ctx, commands);
        String out = nft_ctx_get_output_buffer(ctx);
        String err = nft_ctx_get_error_buffer(ctx);
        if (rc != 0) {
            throw new NftException(err == null || err.isBlank() ? "nft failed (" + rc + ")" : err.strip());
        }
        return out == null ? "" : out;
    }

    @Override
    public synchronized void close() {
        if (ctx != null) {
            nft_ctx_free(ctx);
            ctx = null;
        }
    }

    private static native Pointer nft_ctx_new(int flags);

    private static native void nft_ctx_free(Pointer ctx);

    private static native int nft_ctx_buffer_output(Pointer ctx);

    private static native int nft_ctx_buffer_error(Pointer ctx);

    private static native String nft_ctx_get_output_buffer(Pointer ctx);

    private static native String nft_ctx_get_error_buffer(Pointer ctx);

    private static native void nft_ctx_output_set_flags(Pointer ctx, int flags);

    private static native int nft_run_cmd_from_buffer(Pointer ctx, String buffer);
}
