package dev.portgate.ssh;

import java.io.IOException;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * A {@code direct-tcpip} or {@code forwarded-tcpip} channel whose data goes straight to a {@link Bridge}
 * instead of MINA's streams. MINA's async stream keeps one SSH packet in flight and waits for the socket
 * write of each before it makes the next; the bridge writes as many packets as the peer's window allows
 * and is told when the window opens again. (Both channel types open with the same fields, RFC 4254 §7.2:
 * the address connected to, then the originator's.)
 */
final class BridgedTcpip extends ChannelDirectTcpip {

    /** The other half: told of each incoming chunk (still in MINA's buffer: copy it), the EOF and a wider window. */
    interface Bridge {
        void data(byte[] bytes, int offset, int length);

        void eof();

        void windowOpened();
    }

    private final String type;
    private final Object sending = new Object();
    private boolean closing;
    private volatile Bridge bridge;

    /** {@code type} is {@code direct-tcpip} (a client's tunnel) or {@code forwarded-tcpip} (a server dialling back for {@code -R}). */
    BridgedTcpip(String type, SshdSocketAddress originator, SshdSocketAddress connected) {
        super(originator, connected);
        this.type = type;
        setStreaming(Streaming.Async);
    }

    void bridge(Bridge b) {
        this.bridge = b;
    }

    @Override
    public String getChannelType() {
        return type;
    }

    @Override
    protected void doWriteData(byte[] data, int off, long len) {
        // The local window was consumed when the packet came in; the bridge releases it once it has passed the bytes on.
        bridge.data(data, off, (int) len);
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        bridge.eof();
    }

    @Override
    public void handleWindowAdjust(Buffer buffer) throws IOException {
        super.handleWindowAdjust(buffer);
        bridge.windowOpened();
    }

    /**
     * Writes one data packet, or returns null once the channel is closing: a data packet that followed our
     * SSH_MSG_CHANNEL_CLOSE would name a channel the peer has freed, and OpenSSH drops the whole connection for it.
     */
    IoWriteFuture sendData(Buffer packet) throws IOException {
        synchronized (sending) {
            return closing || isClosing() ? null : writePacket(packet);
        }
    }

    @Override
    protected void preClose() {
        synchronized (sending) {
            closing = true;  // before MINA sends SSH_MSG_CHANNEL_CLOSE
        }
        super.preClose();
    }

    /** Our side has no more to send: SSH_MSG_CHANNEL_EOF, after the data packets already written. */
    IoWriteFuture sendEndOfData() throws IOException {
        synchronized (sending) {
            return closing || isEofSent() ? null : sendEof();
        }
    }
}
