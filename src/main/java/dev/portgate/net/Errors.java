package dev.portgate.net;

/** Turns socket exceptions into the OS's own words for logs and the console. */
public final class Errors {

    private Errors() {}

    /**
     * The root cause's message without the native transport's decoration:
     * {@code bind(..) failed with error(-98): Address already in use} becomes {@code Address already in use}.
     */
    public static String reason(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        if (m == null) {
            return root.getClass().getSimpleName();
        }
        int native_ = m.indexOf("failed with error(");
        if (native_ >= 0) {
            int colon = m.indexOf("): ", native_);
            if (colon >= 0) {
                return m.substring(colon + 3);
            }
        }
        return m;
    }
}
