package dev.portgate.igd;

/**
 * Tells from NAT-PMP/PCP epochs whether the server lost its state: its epoch must advance about as
 * fast as our clock (RFC 6887 §8.5); one that is smaller than expected means it restarted.
 */
final class EpochWatch {

    private long lastEpoch = -1;
    private long lastNanos;
    private boolean wentBack;

    synchronized void saw(long epoch) {
        long now = System.nanoTime();
        if (lastEpoch >= 0) {
            long elapsed = (now - lastNanos) / 1_000_000_000L;
            if (epoch + 1 < lastEpoch || epoch + 2 < lastEpoch + elapsed * 7 / 8) {
                wentBack = true;
            }
        }
        lastEpoch = epoch;
        lastNanos = now;
    }

    /** True once after a restart was seen. */
    synchronized boolean wentBack() {
        boolean w = wentBack;
        wentBack = false;
        return w;
    }
}
