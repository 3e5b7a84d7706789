package dev.portgate.ssh;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The SSH tunnel server as the config asks for it: started, updated in place, or stopped on each apply. */
public final class SshServerRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SshServerRunner.class);

    /** Makes a server for a config; the parts it shares with the gateway are bound in {@code Gateway}. */
    @FunctionalInterface
    public interface Factory {
        TunnelServer make(SshServerConfig config);
    }

    private final Factory factory;
    private volatile TunnelServer server;

    public SshServerRunner(Factory factory) {
        this.factory = factory;
    }

    /** {@code null}: no ssh-server section. */
    public synchronized void apply(SshServerConfig next) {
        try {
            if (next == null) {
                if (server != null) {
                    server.close();
                    server = null;
                    log.info("ssh server stopped (no ssh-server section)");
                }
            } else if (server == null) {
                TunnelServer s = factory.make(next);
                s.start();
                server = s;
            } else {
                server.update(next);
            }
        } catch (IOException e) {
            log.warn("ssh server: {}", e.getMessage());
        }
    }

    /** The SSH server's port, or -1 when it does not run. */
    public int port() {
        TunnelServer s = server;
        return s == null ? -1 : s.port();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                log.debug("closing the ssh server: {}", e.toString());
            }
            server = null;
        }
    }
}
