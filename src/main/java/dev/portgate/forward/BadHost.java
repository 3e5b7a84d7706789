package dev.portgate.forward;

/** A host name that cannot name a site; the message says what is wrong with it. */
public final class BadHost extends Exception {

    private static final long serialVersionUID = 1L;

    public BadHost(String message) {
        super(message);
    }
}
