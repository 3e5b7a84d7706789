package dev.portgate.tunnel;

import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionPathStats;
import java.util.concurrent.TimeUnit;

/** A QUIC connection's round-trip time and byte counts, as the consoles show them, refreshed from QUIC itself. */
final class PathStats {

    /** -1 until measured. */
    volatile long rttMicros = -1;

    volatile long sentBytes;
    volatile long recvBytes;

    /** Asks QUIC for the active path's statistics (on the connection's loop; the answer comes later). */
    void refresh(QuicChannel quic) {
        if (!quic.isActive()) {
            return;
        }
        quic.collectPathStats(0).addListener(f -> {
            if (f.isSuccess()) {
                QuicConnectionPathStats s = (QuicConnectionPathStats) f.getNow();
                rttMicros = TimeUnit.NANOSECONDS.toMicros(s.rtt());
                sentBytes = s.sentBytes();
                recvBytes = s.recvBytes();
            }
        });
    }
}
