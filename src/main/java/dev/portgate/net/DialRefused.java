package dev.portgate.net;

import java.io.IOException;

/** A dial the far end of a tunnel refused, with its reason: the message is shown as it is, not classified. */
public final class DialRefused extends IOException {

    private static final long serialVersionUID = 1L;

    public DialRefused(String message) {
        super(message);
    }
}
