package dev.portgate.igd;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of what the IGD services saw: requests, mappings, refusals and garbage, by protocol. */
public final class IgdStats {

    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

    /** Counts one event, e.g. {@code ("natpmp", "malformed")}. */
    public void count(String protocol, String what) {
        counters.computeIfAbsent(protocol + "." + what, k -> new LongAdder()).increment();
    }

    public long get(String protocol, String what) {
        LongAdder a = counters.get(protocol + "." + what);
        return a == null ? 0 : a.sum();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
