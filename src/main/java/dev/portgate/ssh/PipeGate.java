package dev.portgate.ssh;

import java.io.IOException;
import org.apache.sshd.common.io.IoWriteFuture;

/**
 * The part every {@link SshPipe} shares, whatever MINA class it extends: where incoming data goes, and
 * one lock that keeps our data and EOF packets ahead of MINA's SSH_MSG_CHANNEL_CLOSE.
 */
final class PipeGate {

    /** A packet write that MINA may refuse with an IOException. */
    interface Send {
        IoWriteFuture send() throws IOException;
    }

    private final Object lock = new Object();
    private boolean closing;
    private volatile SshPipe.Bridge bridge;

    void bridge(SshPipe.Bridge b) {
        this.bridge = b;
    }

    SshPipe.Bridge bridge() {
        return bridge;
    }

    /** Sends unless the channel has begun to close; {@code alreadyClosing} is MINA's own view of that. */
    IoWriteFuture send(boolean alreadyClosing, Send send) throws IOException {
        synchronized (lock) {
            return closing || alreadyClosing ? null : send.send();
        }
    }

    /** Call from the channel's preClose, before MINA sends SSH_MSG_CHANNEL_CLOSE. */
    void closing() {
        synchronized (lock) {
            closing = true;
        }
    }
}
