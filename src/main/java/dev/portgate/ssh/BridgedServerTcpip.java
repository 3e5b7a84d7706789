package dev.portgate.ssh;

import dev.portgate.net.Dialer;
import dev.portgate.net.Errors;
import dev.portgate.net.SideConnections;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.channel.AbstractServerChannel;
import org.apache.sshd.server.forward.TcpForwardingFilter;

/**
 * A {@code direct-tcpip} channel that a client ({@code ssh -L}, {@code ssh -D}) opens on portgate's server:
 * asked of the user's permit-open, dialled by the data plane's direct dialer on the SSH connection's own event
 * loop (so that one thread decrypts and relays), and
 * relayed by the same relay as every forward (counted and listed through {@link SideConnections}). The SSH
 * side is fed packet by packet as its window allows, not through MINA's port handler and connector threads.
 */
final class BridgedServerTcpip extends AbstractServerChannel implements SshPipe {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BridgedServerTcpip.class);

    private final Dialer direct;
    private final SideConnections side;
    private final PipeGate gate = new PipeGate();
    private volatile InetSocketAddress originator;

    private BridgedServerTcpip(Dialer direct, SideConnections side) {
        super(null);
        this.direct = direct;
        this.side = side;
    }

    /** The channel factory that replaces MINA's {@code direct-tcpip}. */
    static ChannelFactory factory(Dialer direct, SideConnections side) {
        return new ChannelFactory() {
            @Override
            public String getName() {
                return "direct-tcpip";
            }

            @Override
            public org.apache.sshd.common.channel.Channel createChannel(Session session) {
                return new BridgedServerTcpip(direct, side);
            }
        };
    }

    @Override
    protected OpenFuture doInit(Buffer buffer) {
        String host = buffer.getString();
        int port = buffer.getInt();
        String fromHost = buffer.getString();
        int fromPort = buffer.getInt();
        originator = InetSocketAddress.createUnresolved(fromHost, fromPort);
        OpenFuture opened = new DefaultOpenFuture(this, this);
        TcpForwardingFilter filter = getSession().getFactoryManager().getTcpForwardingFilter();
        if (filter == null || !filter.canConnect(TcpForwardingFilter.Type.Direct, new SshdSocketAddress(host, port), getSession())) {
            return refuse(opened, SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, "Connection denied");
        }
        SshTunnelChannel tunnel = SshTunnelChannel.over(this, originator);
        ((SshIoSession) getSession().getIoSession()).eventLoop().register(tunnel).addListener(registered -> {
            if (!registered.isSuccess()) {
                refuse(opened, SshConstants.SSH_OPEN_CONNECT_FAILED, Errors.reason(registered.cause()));
                return;
            }
            direct.dial(tunnel, host, port).addListener(dialled -> {
                if (!dialled.isSuccess()) {
                    tunnel.close();
                    String why = host + ":" + port + ": " + Errors.reason(dialled.cause());
                    log.debug("ssh: {} of {}: cannot connect to {}", getSession().getUsername(), originator, why);
                    refuse(opened, SshConstants.SSH_OPEN_CONNECT_FAILED, why);
                    return;
                }
                Channel target = (Channel) dialled.getNow();
                try {
                    // The confirmation goes out (synchronously, through MINA's channel listener) before any data can.
                    signalChannelOpenSuccess();
                    opened.setOpened();
                } catch (RuntimeException sessionGone) {
                    target.close();
                    tunnel.close();
                    return;
                }
                // Listed as the user's: its client is the SSH client's address, not the originator it names.
                InetSocketAddress client = getSession().getRemoteAddress() instanceof InetSocketAddress a ? a : originator;
                side.join("ssh-" + getSession().getUsername(), client, dev.portgate.forward.Addresses.hostPort(host, port), tunnel, target);
            });
        });
        return opened;
    }

    private OpenFuture refuse(OpenFuture opened, int reason, String message) {
        SshChannelOpenException refusal = new SshChannelOpenException(getChannelId(), reason, message);
        signalChannelOpenFailure(refusal);
        opened.setException(refusal);
        close(true);
        return opened;
    }

    @Override
    public PipeGate gate() {
        return gate;
    }

    @Override
    protected void doWriteData(byte[] data, int off, long len) {
        gate.bridge().data(data, off, (int) len);
    }

    @Override
    protected void doWriteExtendedData(byte[] data, int off, long len) throws IOException {
        throw new IOException("direct-tcpip carries no extended data");
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
        return originator;
    }
}
