package dev.portgate.tunnel;

import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The tunnel server as the config asks for it: started, updated in place, or stopped on each apply. */
public final class TunnelServerRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TunnelServerRunner.class);

    private final Function<TunnelServerConfig, TunnelHub> factory;
    private volatile TunnelHub hub;

    /** {@code factory} makes a server for a config; the parts it shares with the gateway are bound in Gateway. */
    public TunnelServerRunner(Function<TunnelServerConfig, TunnelHub> factory) {
        this.factory = factory;
    }

    /** {@code null}: no tunnel-server section. */
    public synchronized void apply(TunnelServerConfig next) {
        if (next == null) {
            if (hub != null) {
                hub.close();
                hub = null;
                log.info("tunnel server stopped (no tunnel-server section)");
            }
        } else if (hub == null) {
            TunnelHub h = factory.apply(next);
            try {
                h.start();
                hub = h;
            } catch (IOException e) {
                h.close();
                log.warn("tunnel server: {}", e.getMessage());
            }
        } else {
            hub.update(next);
        }
    }

    /** The tunnel server's UDP port, or -1 when it does not run. */
    public int port() {
        TunnelHub h = hub;
        return h == null ? -1 : h.port();
    }

    /** The server certificate's SHA-256 (hex), or null when it does not run. */
    public String fingerprint() {
        TunnelHub h = hub;
        return h == null ? null : h.fingerprint();
    }

    public List<TunnelClientView> clients() {
        TunnelHub h = hub;
        return h == null ? List.of() : h.clients();
    }

    @Override
    public synchronized void close() {
        if (hub != null) {
            hub.close();
            hub = null;
        }
    }
}
