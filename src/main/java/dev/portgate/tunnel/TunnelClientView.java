package dev.portgate.tunnel;

import java.time.Instant;

/** A connected tunnel client as the console lists it; {@code rttMicros} is -1 until measured. */
public record TunnelClientView(
        String name,
        String address,
        String transport,
        Instant since,
        long rttMicros,
        long sentBytes,
        long receivedBytes,
        String session) {}
