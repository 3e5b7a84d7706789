package dev.portgate.ssh;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * A {@code direct-tcpip} or {@code forwarded-tcpip} channel that we open, whose data goes straight to a
 * {@link SshPipe.Bridge} instead of MINA's streams. MINA's async stream keeps one SSH packet in flight and
 * waits for the socket write of each before it makes the next; the bridge writes as many packets as the
 * peer's window allows and is told when the window opens again. (Both channel types open with the same
 * fields, RFC 4254 §7.2: the address connected to, then the originator's.)
 */
final class BridgedTcpip extends ChannelDirectTcpip implements SshPipe {

    private final String type;
    private final SshdSocketAddress originator;
    private final PipeGate gate = new PipeGate();

    /** {@code type} is {@code direct-tcpip} (a client's tunnel) or {@code forwarded-tcpip} (a server dialling back for {@code -R}). */
    BridgedTcpip(String type, SshdSocketAddress originator, SshdSocketAddress connected) {
        super(originator, connected);
        this.type = type;
        this.originator = originator;
        setStreaming(Streaming.Async);
    }

    @Override
    public PipeGate gate() {
        return gate;
    }

    @Override
    public String getChannelType() {
        return type;
    }

    @Override
    protected void doWriteData(byte[] data, int off, long len) {
        // The local window was consumed when the packet came in; the bridge releases it once it has passed the bytes
        // on.
        gate.bridge().data(data, off, (int) len);
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        gate.bridge().eof();
    }

    @Override
    public void handleWindowAdjust(Buffer buffer) throws IOException {
        super.handleWindowAdjust(buffer);
        gate.bridge().windowOpened();
    }

    @Override
    public IoWriteFuture sendEndOfData() throws IOException {
        return gate.send(isClosing() || isEofSent(), this::sendEof);
    }

    @Override
    protected void preClose() {
        gate.closing();
        super.preClose();
    }

    @Override
    public InetSocketAddress originator() {
        return InetSocketAddress.createUnresolved(originator.getHostName(), originator.getPort());
    }
}
