package dev.portgate.net;

import dev.portgate.policy.Verdict;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one forward, updated from every event loop, read by the API and metrics. */
public final class ForwardStats {

    /** Why a connection or datagram session was refused. */
    public enum Refusal {
        DENIED,
        LIMIT,
        BANNED,
        CLOSED,
        RATE,
        DIAL_FAILED,
        /** The process had no descriptor left to accept with. */
        DESCRIPTORS,
        /** Accepting failed for another reason the OS gave. */
        ACCEPT_FAILED;

        public static Refusal of(Verdict.Reason r) {
            return switch (r) {
                case DENIED -> DENIED;
                case LIMIT -> LIMIT;
                case BANNED -> BANNED;
                case CLOSED -> CLOSED;
                case RATE -> RATE;
            };
        }
    }

    private final LongAdder bytesIn = new LongAdder(); // client -> target
    private final LongAdder bytesOut = new LongAdder(); // target -> client
    private final LongAdder connectionsTotal = new LongAdder();
    private final LongAdder connectionsActive = new LongAdder();
    private final LongAdder packetsIn = new LongAdder();
    private final LongAdder packetsOut = new LongAdder();
    private final LongAdder sessionsTotal = new LongAdder();
    private final LongAdder sessionsActive = new LongAdder();
    private final LongAdder refusedDenied = new LongAdder();
    private final LongAdder refusedLimit = new LongAdder();
    private final LongAdder refusedAccept = new LongAdder();
    private final LongAdder refusedBanned = new LongAdder();
    private final LongAdder refusedClosed = new LongAdder();
    private final LongAdder refusedRate = new LongAdder();
    /**
     * How close-when-idle tells disuse without a clock read on every packet: the sweep asks once a second,
     * and the forward was active if its counters moved since the last time it asked.
     */
    private long seenTotal = -1;

    private long lastChangeNanos = System.nanoTime();
    private final LongAdder dialFailures = new LongAdder();
    private final LongAdder packetsDropped = new LongAdder();

    public void bytesIn(long n) {
        bytesIn.add(n);
    }

    public void bytesOut(long n) {
        bytesOut.add(n);
    }

    public void connectionOpened() {
        connectionsTotal.increment();
        connectionsActive.increment();
    }

    /** About how long since the last byte or connection (to the caller's own asking interval). */
    public synchronized Duration idleFor() {
        long total = bytesIn.sum() + bytesOut.sum() + connectionsTotal.sum() + sessionsTotal.sum();
        long now = System.nanoTime();
        if (total != seenTotal) {
            seenTotal = total;
            lastChangeNanos = now;
        }
        return Duration.ofNanos(now - lastChangeNanos);
    }

    public void connectionClosed() {
        connectionsActive.decrement();
    }

    public void packetIn(long bytes) {
        packetsIn.increment();
        bytesIn.add(bytes);
    }

    public void packetOut(long bytes) {
        packetsOut.increment();
        bytesOut.add(bytes);
    }

    /** What the kernel counted for a kernel-plane forward since the last reading (deltas of its nft counters). */
    public void addKernel(
            long inBytes, long outBytes, long inPackets, long outPackets, long connections, long refused) {
        bytesIn.add(inBytes);
        bytesOut.add(outBytes);
        packetsIn.add(inPackets);
        packetsOut.add(outPackets);
        connectionsTotal.add(connections);
        refusedDenied.add(refused);
    }

    /** The live connections conntrack holds for a kernel-plane forward. */
    public void kernelActive(long n) {
        connectionsActive.add(n - connectionsActive.sum());
    }

    public void packetDropped() {
        packetsDropped.increment();
    }

    public void sessionOpened() {
        sessionsTotal.increment();
        sessionsActive.increment();
    }

    public void sessionClosed() {
        sessionsActive.decrement();
    }

    public void refused(Refusal why) {
        switch (why) {
            case DENIED -> refusedDenied.increment();
            case LIMIT -> refusedLimit.increment();
            case BANNED -> refusedBanned.increment();
            case CLOSED -> refusedClosed.increment();
            case RATE -> refusedRate.increment();
            case DIAL_FAILED -> dialFailures.increment();
            case DESCRIPTORS, ACCEPT_FAILED -> refusedAccept.increment();
        }
    }

    public Snapshot snapshot() {
        return new Snapshot(
                bytesIn.sum(),
                bytesOut.sum(),
                connectionsTotal.sum(),
                connectionsActive.sum(),
                packetsIn.sum(),
                packetsOut.sum(),
                sessionsTotal.sum(),
                sessionsActive.sum(),
                refusedDenied.sum(),
                refusedLimit.sum(),
                refusedBanned.sum(),
                refusedClosed.sum(),
                refusedRate.sum(),
                dialFailures.sum(),
                packetsDropped.sum(),
                refusedAccept.sum());
    }

    /** A consistent-enough reading of the counters (each read once). */
    public record Snapshot(
            long bytesIn,
            long bytesOut,
            long connectionsTotal,
            long connectionsActive,
            long packetsIn,
            long packetsOut,
            long sessionsTotal,
            long sessionsActive,
            long refusedDenied,
            long refusedLimit,
            long refusedBanned,
            long refusedClosed,
            long refusedRate,
            long dialFailures,
            long packetsDropped,
            long refusedAccept) {

        public long refused() {
            return refusedDenied + refusedLimit + refusedBanned + refusedClosed + refusedRate + refusedAccept;
        }
    }
}
