package dev.portgate.ssh;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.PropertyResolver;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoSession;
import org.slf4j.Logger;

/** What the SSH acceptor and connector share: the loops, the live connections, MINA's event listener. */
abstract sealed class SshIoService extends SshIoOwner implements IoService permits SshIoAcceptor, SshIoConnector {

    protected final SshIo io;
    protected final PropertyResolver properties;
    protected final IoHandler handler;
    private final Map<Long, IoSession> sessions = new ConcurrentHashMap<>();

    SshIoService(SshIo io, PropertyResolver properties, IoHandler handler) {
        this.io = io;
        this.properties = properties;
        this.handler = handler;
    }

    /** The socket is connected: tell MINA, which makes its SSH session and sends its identification. */
    abstract void opened(SshIoSession session);

    /** Registers the connection and creates MINA's session on it; false (and closed) if MINA would not. */
    protected final boolean start(SshIoSession session) {
        sessions.put(session.getId(), session);
        try {
            handler.sessionCreated(session);
            return true;
        } catch (Exception e) {
            log.warn("{}: cannot start an SSH session: {}", session, e.toString());
            session.close(true);
            return false;
        }
    }

    final void forget(SshIoSession session) {
        sessions.remove(session.getId());
    }

    final Logger log() {
        return log;
    }

    @Override
    public Map<Long, IoSession> getManagedSessions() {
        return Map.copyOf(sessions);
    }

    @Override
    protected Collection<IoSession> owned() {
        return sessions.values();
    }
}
