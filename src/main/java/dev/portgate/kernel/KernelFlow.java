package dev.portgate.kernel;

/** A connection the kernel forwards, as conntrack holds it: the client's real address, and where it went. */
public record KernelFlow(
        String forward,
        String protocol,
        String state,
        String client,
        int clientPort,
        String listen,
        String target,
        boolean unreplied) {}
