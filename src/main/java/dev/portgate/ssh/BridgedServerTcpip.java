package dev.portgate.ssh;

import dev.portgate.net.Dialer;
import dev.portgate.net.Errors;
import io.netty.channel.Channel;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.AbstractServerChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP channel that the SSH peer opens to us: a {@code direct-tcpip} that a client ({@code ssh -L}, {@code ssh -D})
 * opens on portgate's server, or a {@code forwarded-tcpip} that a server opens on portgate's client for one of its
 * remote forwards. {@link Arrivals} says where it goes; the data plane's direct dialer connects there on the SSH
 * connection's own event loop (so that one thread decrypts and relays), and the same relay as every forward carries
 * it, counted and listed by its owner. The SSH side is fed packet by packet as its window allows, not through MINA's
 * port handler, its connector and its one-packet-in-flight streams.
 */
final class BridgedServerTcpip extends AbstractServerChannel implements SshPipe {

    private static final Logger log = LoggerFactory.getLogger(BridgedServerTcpip.class);

    private final Dialer direct;
    private final Arrivals arrivals;
    private final PipeGate gate = new PipeGate();
    private volatile InetSocketAddress originator;

    private BridgedServerTcpip(Dialer direct, Arrivals arrivals) {
        super(null);
        this.direct = direct;
        this.arrivals = arrivals;
    }

    /** The channel factory that replaces MINA's for {@code arrivals}' channel type. */
    static ChannelFactory factory(Dialer direct, Arrivals arrivals) {
        return new ChannelFactory() {
            @Override
            public String getName() {
                return arrivals.channelType();
            }

            @Override
            public org.apache.sshd.common.channel.Channel createChannel(Session session) {
                return new BridgedServerTcpip(direct, arrivals);
            }
        };
    }

    @Override
    protected OpenFuture doInit(Buffer buffer) {
        String host = buffer.getString();
        int port = buffer.getInt();
        String fromHost = buffer.getString();
        int fromPort = buffer.getInt();
        originator = originator(fromHost, fromPort);
        OpenFuture opened = new DefaultOpenFuture(this, this);
        Arrivals.Route route = arrivals.route(getSession(), host, port, originator);
        if (route == null) {
            return refuse(opened, SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, "Connection denied");
        }
        SshTunnelChannel tunnel = SshTunnelChannel.over(this, originator);
        ((SshIoSession) getSession().getIoSession())
                .eventLoop()
                .register(tunnel)
                .addListener(registered -> {
                    if (!registered.isSuccess()) {
                        refuse(opened, SshConstants.SSH_OPEN_CONNECT_FAILED, Errors.reason(registered.cause()));
                        return;
                    }
                    direct.dial(tunnel, route.host(), route.port()).addListener(dialled -> {
                        if (!dialled.isSuccess()) {
                            tunnel.close();
                            String why = route.host() + ":" + route.port() + ": " + Errors.reason(dialled.cause());
                            log.debug(
                                    "ssh: {} channel of {}: cannot connect to {}",
                                    arrivals.channelType(),
                                    originator,
                                    why);
                            route.owner().unreachable(dialled.cause());
                            refuse(opened, SshConstants.SSH_OPEN_CONNECT_FAILED, why);
                            return;
                        }
                        Channel target = (Channel) dialled.getNow();
                        try {
                            // The confirmation goes out (synchronously, through MINA's channel listener) before any
                            // data can.
                            signalChannelOpenSuccess();
                            opened.setOpened();
                        } catch (RuntimeException sessionGone) {
                            target.close();
                            tunnel.close();
                            return;
                        }
                        route.owner().join(tunnel, target);
                    });
                });
        return opened;
    }

    /** The originator as an address: resolved if it is an IP literal (as OpenSSH sends it), never looked up. */
    private static InetSocketAddress originator(String host, int port) {
        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(host);
        return ip != null ? new InetSocketAddress(ip, port) : InetSocketAddress.createUnresolved(host, port);
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
