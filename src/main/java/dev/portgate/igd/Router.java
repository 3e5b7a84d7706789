package dev.portgate.igd;

import dev.portgate.forward.Protocol;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;

/** The router above portgate, spoken to in one of the three protocols. Calls block briefly (a few seconds at most). */
sealed interface Router extends AutoCloseable permits NatPmpRouter, PcpRouter, UpnpRouter {

    /** What the router granted: the external port (maybe not the one asked for) and for how long. */
    record Granted(int externalPort, long lifetimeSeconds) {}

    String describe();

    /** The router's external address, or null when it will not say. */
    InetAddress externalAddress() throws IOException;

    Granted map(Protocol protocol, int internalPort, int externalPort, Duration lifetime, String description)
            throws IOException;

    void unmap(Protocol protocol, int internalPort, int externalPort) throws IOException;

    /** True if the router has lost its mappings since the last call (it restarted): a smaller epoch, a new BOOTID, a missing entry. */
    boolean lostState(Collection<UpstreamMapping> held) throws IOException;

    @Override
    void close();
}
