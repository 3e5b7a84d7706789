package dev.portgate.rules;

import dev.portgate.forward.Forward;

/**
 * A change another node made to the shared rules, as the store numbered it: the forward as it now is, or null
 * when it was removed.
 */
public record PeerChange(long version, String name, Forward after, String node) {}
