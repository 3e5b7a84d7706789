package dev.portgate.net;

import io.netty.util.concurrent.Future;

/** One bound socket of a forward (a range has one per port and protocol). */
public interface Listener {

    /** Binds; the future fails with the OS's reason if the address is taken or not ours. */
    Future<?> open();

    /** Stops accepting; connections already made go on. */
    void close();

    /** protocol address:port, for logs. */
    String describe();
}
