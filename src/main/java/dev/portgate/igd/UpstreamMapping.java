package dev.portgate.igd;

import dev.portgate.forward.Protocol;
import java.time.Instant;

/** One port portgate keeps open on the router above: for which forward, where, until when, and how it went. */
public record UpstreamMapping(
        String forward,
        Protocol protocol,
        int internalPort,
        int externalPort,
        Instant renewAt,
        Instant expires,
        String state,
        String error) {}
