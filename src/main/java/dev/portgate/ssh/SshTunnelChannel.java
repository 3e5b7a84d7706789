package dev.portgate.ssh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Promise;
import dev.portgate.net.Errors;
import org.apache.sshd.common.channel.StreamingChannel;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.common.io.IoInputStream;
import org.apache.sshd.common.io.IoOutputStream;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * An SSH {@code direct-tcpip} channel dressed as a Netty channel, so that the relay, counters and
 * backpressure of the data plane work unchanged through an SSH connection. It lives on the event
 * loop of the connection it serves; MINA's callbacks hop onto that loop. One read and one write are
 * in flight at a time: the SSH window and Netty's water marks do the rest.
 */
final class SshTunnelChannel extends AbstractChannel implements DuplexChannel {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false);
    private static final int READ_SIZE = 64 * 1024;
    /** MINA takes one write at a time; big batches keep the SSH pipe busy while the next one gathers. */
    private static final int WRITE_BATCH = 2 * 1024 * 1024;

    private final ChannelDirectTcpip ssh;
    private final IoInputStream fromRemote;
    private final IoOutputStream toRemote;
    private final DefaultChannelConfig config = new DefaultChannelConfig(this);
    private final InetSocketAddress remote;
    private volatile boolean open = true;
    private boolean reading;
    private boolean writing;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;

    SshTunnelChannel(ChannelDirectTcpip ssh, InetSocketAddress remote) {
        super(null);
        this.ssh = ssh;
        this.fromRemote = ssh.getAsyncOut();
        this.toRemote = ssh.getAsyncIn();
        this.remote = remote;
        config.setAutoRead(false);
        config.setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(1024 * 1024, 4 * 1024 * 1024));
        ssh.addCloseFutureListener(f -> {
            if (open) {
                eventLoop().execute(() -> unsafe().close(unsafe().voidPromise()));
            }
        });
    }

    /**
     * Opens {@code ssh} (async streaming) and, once the peer accepts, puts it on {@code inbound}'s event
     * loop as a Netty channel; the promise fails with the peer's reason, prefixed by {@code refusedBy}.
     */
    static void openOnto(ChannelDirectTcpip ssh, Channel inbound, String host, int port, String refusedBy, Promise<Channel> promise)
            throws IOException {
        ssh.setStreaming(StreamingChannel.Streaming.Async);
        ssh.open().addListener(f -> {
            if (!f.isOpened()) {
                ssh.close(true);
                promise.tryFailure(new IOException(refusedBy + " refused the channel to " + host + ":" + port + ": "
                        + Errors.reason(f.getException())));
                return;
            }
            SshTunnelChannel tunnel = new SshTunnelChannel(ssh, InetSocketAddress.createUnresolved(host, port));
            inbound.eventLoop().register(tunnel).addListener(r -> {
                if (r.isSuccess()) {
                    promise.trySuccess(tunnel);
                } else {
                    ssh.close(true);
                    promise.tryFailure(r.cause());
                }
            });
        });
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
        if (reading || inputShutdown || !open) {
            return;
        }
        reading = true;
        ByteArrayBuffer buffer = new ByteArrayBuffer(READ_SIZE, false);
        fromRemote.read(buffer).addListener(f -> eventLoop().execute(() -> {
            reading = false;
            if (!open) {
                return;
            }
            int n = f.getException() == null ? f.getRead() : -1;
            if (n < 0) {
                inputShutdown = true;
                pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                if (outputShutdown) {
                    close();
                }
                return;
            }
            ByteBuf data = Unpooled.wrappedBuffer(buffer.array(), buffer.rpos(), n);
            pipeline().fireChannelRead(data);
            pipeline().fireChannelReadComplete();
            if (config.isAutoRead()) {
                read();
            }
        }));
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        if (writing) {
            return;  // resumed when the write in flight completes
        }
        // Gather what is flushed (up to WRITE_BATCH) into one SSH write: one hop through MINA per batch, not per read.
        int total = 0;
        java.util.List<ByteBuf> batch = new java.util.ArrayList<>();
        for (Object m : flushed(in)) {
            ByteBuf b = (ByteBuf) m;
            if (total > 0 && total + b.readableBytes() > WRITE_BATCH) {
                break;
            }
            batch.add(b);
            total += b.readableBytes();
        }
        if (total == 0) {
            while (in.current() != null) {
                in.remove();
            }
            return;
        }
        byte[] bytes = new byte[total];
        int at = 0;
        for (ByteBuf b : batch) {
            int n = b.readableBytes();
            b.getBytes(b.readerIndex(), bytes, at, n);
            at += n;
        }
        long written = total;
        writing = true;
        toRemote.writeBuffer(new ByteArrayBuffer(bytes)).addListener(f -> eventLoop().execute(() -> {
            writing = false;
            if (f.isWritten()) {
                in.removeBytes(written);
                ((TunnelUnsafe) unsafe()).flushAgain();
            } else {
                close();
            }
        }));
    }

    private static java.util.List<Object> flushed(ChannelOutboundBuffer in) throws Exception {
        java.util.List<Object> out = new java.util.ArrayList<>();
        in.forEachFlushedMessage(m -> {
            out.add(m);
            return out.size() < 1024;
        });
        return out;
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
        ssh.close(false);
    }

    @Override
    protected void doShutdownOutput() throws IOException {
        outputShutdown = true;
        toRemote.close(false);  // sends SSH_MSG_CHANNEL_EOF once the writes before it are out
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
        return ssh.getLocalSocketAddress() == null ? null
                : InetSocketAddress.createUnresolved(ssh.getLocalSocketAddress().getHostName(), ssh.getLocalSocketAddress().getPort());
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
