package dev.portgate.kernel;

/** Count, total and worst time of the kernel writes of forward changes, for the API and the benchmark. */
public final class WriteTimes {

    private long count;
    private long totalNanos;
    private long maxNanos;

    synchronized void record(long nanos) {
        count++;
        totalNanos += nanos;
        maxNanos = Math.max(maxNanos, nanos);
    }

    public synchronized long count() {
        return count;
    }

    public synchronized double averageMillis() {
        return count == 0 ? 0 : totalNanos / 1e6 / count;
    }

    public synchronized double maxMillis() {
        return maxNanos / 1e6;
    }
}
