package dev.portgate.ssh;

import dev.portgate.net.Errors;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * An SSH channel that carries one TCP connection ({@link SshPipe}) dressed as a Netty channel, so that the
 * relay, counters and backpressure of the data plane work unchanged through an SSH connection. It lives on
 * the event loop of the connection it serves.
 * <p>
 * Out: flushed bytes become SSH data packets at once, as many as the peer's window allows and up to
 * {@link #MAX_IN_FLIGHT} not yet on the socket; what does not fit stays in the outbound buffer, whose
 * water marks stop the relay from reading. In: packets are copied off MINA's thread into a queue and
 * handed to the pipeline when it reads; the SSH window is released only then (a quarter window at a time), so a
 * slow reader holds back the peer, not our memory.
 */
final class SshTunnelChannel extends AbstractChannel implements DuplexChannel, SshPipe.Bridge {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false);
    private static final long MAX_IN_FLIGHT = 2L * 1024 * 1024;
    private static final Object EOF = new Object();
    private static final Object CLOSED = new Object();

    private final SshPipe ssh;
    private final DefaultChannelConfig config = new DefaultChannelConfig(this);
    private final InetSocketAddress remote;
    private final Queue<Object> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicLong inFlight = new AtomicLong();
    private volatile boolean open = true;
    private volatile boolean waitingForRoom;
    private boolean readPending;
    private long unreleased; // passed on but not yet given back to the peer's window (the event loop's only)
    private Buffer spare; // the last data packet's buffer, once MINA is done with it (the event loop's only)
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;

    private SshTunnelChannel(SshPipe ssh, InetSocketAddress remote) {
        super(null);
        this.ssh = ssh;
        this.remote = remote;
        config.setAutoRead(false);
        config.setWriteBufferWaterMark(new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024));
        ssh.bridge(this);
        ssh.addCloseFutureListener(f -> {
            incoming.add(CLOSED);
            scheduleDrain();
        });
    }

    /** A Netty channel over {@code ssh}, to be registered on an event loop by the caller. */
    static SshTunnelChannel over(SshPipe ssh, InetSocketAddress remote) {
        return new SshTunnelChannel(ssh, remote);
    }

    /**
     * Opens {@code ssh} and, once the peer accepts, puts it on {@code inbound}'s event loop as a Netty
     * channel; the promise fails with the peer's reason, prefixed by {@code refusedBy}.
     */
    static void openOnto(
            BridgedTcpip ssh, Channel inbound, String host, int port, String refusedBy, Promise<Channel> promise)
            throws IOException {
        openOnto(ssh, inbound.eventLoop(), host, port, refusedBy, promise);
    }

    /**
     * As above, on {@code loop}: the SSH session's own loop when the connection that asked came in on another (a site
     * on the shared ports), because MINA's writes for a session must come from its loop.
     */
    static void openOnto(
            BridgedTcpip ssh, EventLoop loop, String host, int port, String refusedBy, Promise<Channel> promise)
            throws IOException {
        SshTunnelChannel tunnel = new SshTunnelChannel(ssh, InetSocketAddress.createUnresolved(host, port));
        ssh.open().addListener(f -> {
            if (!f.isOpened()) {
                ssh.close(true);
                promise.tryFailure(new IOException(refusedBy + " refused the channel to " + host + ":" + port + ": "
                        + Errors.reason(f.getException())));
                return;
            }
            loop.register(tunnel).addListener(r -> {
                if (r.isSuccess()) {
                    promise.trySuccess(tunnel);
                } else {
                    ssh.close(true);
                    promise.tryFailure(r.cause());
                }
            });
        });
    }

    // --- from SSH (MINA's threads) ---

    @Override
    public void data(byte[] bytes, int offset, int length) {
        if (!open) {
            return;
        }
        ByteBuf copy = config.getAllocator().directBuffer(length);
        copy.writeBytes(bytes, offset, length);
        incoming.add(copy);
        if (!open) {
            releaseQueued(); // closed while we copied: nobody will drain it
            return;
        }
        scheduleDrain();
    }

    @Override
    public void eof() {
        incoming.add(EOF);
        scheduleDrain();
    }

    @Override
    public void windowOpened() {
        if (waitingForRoom && isRegistered()) {
            eventLoop().execute(this::flushAgain);
        }
    }

    private void scheduleDrain() {
        if (isRegistered() && drainScheduled.compareAndSet(false, true)) {
            eventLoop().execute(this::drain);
        }
    }

    /** Hands queued input to the pipeline while it wants to read. On the event loop. */
    private void drain() {
        drainScheduled.set(false);
        boolean delivered = false;
        while (open && (readPending || config.isAutoRead())) {
            Object m = incoming.poll();
            if (m == null) {
                break;
            }
            readPending = false;
            if (m instanceof ByteBuf data) {
                int n = data.readableBytes();
                pipeline().fireChannelRead(data);
                delivered = true;
                release(n);
            } else if (m == EOF) {
                flushReadComplete(delivered);
                delivered = false;
                inputShutdown = true;
                pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                if (outputShutdown) {
                    close();
                }
            } else {
                flushReadComplete(delivered);
                delivered = false;
                close();
            }
        }
        flushReadComplete(delivered);
    }

    private void flushReadComplete(boolean delivered) {
        if (delivered) {
            pipeline().fireChannelReadComplete();
        }
    }

    /**
     * Gives passed-on bytes back to the peer's window a quarter window at a time. MINA's window sends an adjust about
     * every fourth packet (OpenSSH's rule); each is a packet to seal, a send of its own and a wakeup of the peer —
     * under a bulk upload about a third of our server's sends. The peer keeps at least three quarters of the window
     * meanwhile, so it never waits on this.
     */
    private void release(int n) {
        unreleased += n;
        long window = ssh.getLocalWindow().getMaxSize();
        if (unreleased < window / 4) {
            return;
        }
        try {
            ssh.getLocalWindow().release(unreleased);
            unreleased = 0;
        } catch (IOException | RuntimeException e) {
            close();
        }
    }

    // --- to SSH (the event loop) ---

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        long packet = ssh.getRemoteWindow().getPacketSize();
        while (in.current() != null) {
            if (((ByteBuf) in.current()).readableBytes() == 0) {
                in.remove();
                continue;
            }
            long room = room(packet);
            if (room <= 0) {
                // A window adjust or a finished socket write flushes again — but only if it sees the flag, so
                // look once more after raising it: one that came in between would otherwise be missed for good.
                waitingForRoom = true;
                room = room(packet);
                if (room <= 0) {
                    return;
                }
            }
            waitingForRoom = false;
            int n = flushedBytes(in, (int) room);
            Buffer packetBuffer = spare == null
                    ? ssh.getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_DATA, n + 12)
                    : ssh.getSession().prepareBuffer(SshConstants.SSH_MSG_CHANNEL_DATA, spare);
            packetBuffer.putUInt(ssh.getRecipient());
            packetBuffer.putUInt(n);
            copyFlushed(in, packetBuffer, n);
            ssh.getRemoteWindow().consume(n);
            IoWriteFuture written = ssh.sendData(packetBuffer);
            // Filled again for the next packet only if the socket took its bytes: a packet MINA holds back (while
            // keys are exchanged) keeps its buffer until then.
            spare = written != null && SshIoSession.tookBuffer(written) ? packetBuffer : null;
            in.removeBytes(n);
            if (written == null) {
                close(); // the peer closed the channel: what is left has nowhere to go
                return;
            }
            inFlight.addAndGet(n);
            written.addListener(w -> onWritten(w, n));
        }
    }

    /** How much the next packet may carry: the peer's window and packet size, and nothing while too much is in flight. */
    private long room(long packet) {
        return inFlight.get() >= MAX_IN_FLIGHT
                ? 0
                : Math.min(packet, ssh.getRemoteWindow().getSize());
    }

    /** On MINA's thread, once a packet is on the socket (or failed to get there). */
    private void onWritten(IoWriteFuture f, int n) {
        long left = inFlight.addAndGet(-n);
        if (!f.isWritten()) {
            eventLoop().execute(this::close);
        } else if (waitingForRoom
                && left < MAX_IN_FLIGHT
                && ssh.getRemoteWindow().getSize() > 0) {
            // Waiting on the socket, not the window (a window adjust resumes that one itself).
            eventLoop().execute(this::flushAgain);
        }
    }

    private static int flushedBytes(ChannelOutboundBuffer in, int max) throws Exception {
        int[] total = {0};
        in.forEachFlushedMessage(m -> {
            total[0] += Math.min(((ByteBuf) m).readableBytes(), max - total[0]);
            return total[0] < max;
        });
        return total[0];
    }

    private static void copyFlushed(ChannelOutboundBuffer in, Buffer to, int n) throws Exception {
        int[] left = {n};
        in.forEachFlushedMessage(m -> {
            ByteBuf b = (ByteBuf) m;
            int k = Math.min(b.readableBytes(), left[0]);
            to.ensureCapacity(k);
            b.getBytes(b.readerIndex(), to.array(), to.wpos(), k);
            to.wpos(to.wpos() + k);
            left[0] -= k;
            return left[0] > 0;
        });
    }

    private void flushAgain() {
        ((TunnelUnsafe) unsafe()).flushAgain();
    }

    @Override
    protected void doShutdownOutput() throws IOException {
        outputShutdown = true;
        ssh.sendEndOfData(); // after the data packets already written: MINA keeps their order
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new TunnelUnsafe();
    }

    private final class TunnelUnsafe extends AbstractUnsafe {
        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException("an SSH tunnel channel is opened by its dialer"));
        }

        void flushAgain() {
            flush0();
        }
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        // Nothing to register with epoll: MINA does the I/O, this channel only borrows the loop.
        promise.setSuccess();
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true;
    }

    @Override
    protected void doBeginRead() {
        readPending = true;
        drain();
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) {
            return msg;
        }
        throw new UnsupportedOperationException("only bytes go through an SSH tunnel");
    }

    @Override
    protected void doClose() {
        open = false;
        releaseQueued();
        ssh.close(false);
    }

    private void releaseQueued() {
        Object m;
        while ((m = incoming.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException();
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected SocketAddress localAddress0() {
        return ssh.originator();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        inputShutdown = true;
        return promise.setSuccess();
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        if (eventLoop().inEventLoop()) {
            ((TunnelUnsafe) unsafe()).shutdownOutput(promise);
        } else {
            eventLoop().execute(() -> ((TunnelUnsafe) unsafe()).shutdownOutput(promise));
        }
        return promise;
    }

    @Override
    public boolean isShutdown() {
        return inputShutdown && outputShutdown;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        shutdownInput();
        return shutdownOutput(promise);
    }
}
