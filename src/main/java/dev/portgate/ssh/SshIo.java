package dev.portgate.ssh;

import dev.portgate.net.Transport;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.Factory;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.io.IoAcceptor;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoServiceFactory;
import org.apache.sshd.common.io.IoServiceFactoryFactory;
import org.apache.sshd.common.util.threads.CloseableExecutorService;

/**
 * The sockets of every SSH connection, server's and client's, on Netty event loops of their own instead of
 * MINA's NIO2 threads: one thread reads, decrypts and relays a tunnel's bytes, where NIO2 passes each read
 * from its poller thread to a worker and each write completion back. Loops of their own, not the data
 * plane's, because MINA handles some requests synchronously ({@code tcpip-forward} waits for the listener).
 */
public final class SshIo implements IoServiceFactoryFactory, AutoCloseable {

    private final Transport transport;
    private final EventLoopGroup loops;

    public SshIo(Transport transport, int threads) {
        this.transport = transport;
        this.loops = transport.newLoops(threads, "ssh-io");
    }

    private static final AttributeRepository.AttributeKey<EventLoop> LOOP = new AttributeRepository.AttributeKey<>();

    /** A connect context that puts the connection on {@code loop}. */
    static AttributeRepository onLoop(EventLoop loop) {
        return AttributeRepository.ofKeyValuePair(LOOP, loop);
    }

    /** The loop a connect context asks for, or any of ours. */
    EventLoopGroup loopFor(AttributeRepository context) {
        EventLoop asked = context == null ? null : context.getAttribute(LOOP);
        return asked != null ? asked : loops;
    }

    EventLoopGroup loops() {
        return loops;
    }

    Class<? extends ServerChannel> serverChannel() {
        return transport.serverChannel();
    }

    Class<? extends Channel> socketChannel() {
        return transport.socketChannel();
    }

    @Override
    public IoServiceFactory create(FactoryManager manager) {
        return new Services(manager);
    }

    @Override
    public void setExecutorServiceFactory(Factory<CloseableExecutorService> factory) {
        // Nothing runs on an executor of MINA's: the loops are ours.
    }

    @Override
    public void close() {
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** One SSH server's or client's acceptors and connectors; closed with it. */
    private final class Services extends SshIoOwner implements IoServiceFactory {
        private final FactoryManager manager;
        private final List<IoService> made = new CopyOnWriteArrayList<>();

        Services(FactoryManager manager) {
            this.manager = manager;
        }

        @Override
        public IoConnector createConnector(IoHandler handler) {
            return made(new SshIoConnector(SshIo.this, manager, handler));
        }

        @Override
        public IoAcceptor createAcceptor(IoHandler handler) {
            return made(new SshIoAcceptor(SshIo.this, manager, handler));
        }

        private <S extends IoService> S made(S service) {
            service.setIoServiceEventListener(getIoServiceEventListener());
            made.add(service);
            return service;
        }

        @Override
        protected Collection<IoService> owned() {
            return made;
        }
    }
}
