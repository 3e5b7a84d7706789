package dev.portgate.tunnel;

/** Bytes on the tunnel that do not follow its protocol; the message names what is wrong. */
public final class WireException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public WireException(String message) {
        super(message);
    }
}
