package dev.portgate.ssh;

import java.util.Collection;
import java.util.List;
import org.apache.sshd.common.Closeable;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoServiceEventListenerManager;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/** A part of the SSH I/O that carries MINA's event listener and closes what it made when it closes. */
abstract class SshIoOwner extends AbstractCloseable implements IoServiceEventListenerManager {

    private volatile IoServiceEventListener listener;

    /** What closes with this. */
    protected abstract Collection<? extends Closeable> owned();

    @Override
    public IoServiceEventListener getIoServiceEventListener() {
        return listener;
    }

    @Override
    public void setIoServiceEventListener(IoServiceEventListener listener) {
        this.listener = listener;
    }

    @Override
    protected void doCloseImmediately() {
        for (Closeable c : List.copyOf(owned())) {
            c.close(true);
        }
        super.doCloseImmediately();
    }
}
