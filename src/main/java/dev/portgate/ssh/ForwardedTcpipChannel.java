package dev.portgate.ssh;

import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * The channel a server opens to its client for a connection that arrived on an {@code ssh -R} port.
 * Its open message has the same fields as {@code direct-tcpip} (RFC 4254 §7.2: the address and port
 * that were connected, then the originator's), so MINA's direct-tcpip channel serves with another name.
 */
final class ForwardedTcpipChannel extends ChannelDirectTcpip {

    ForwardedTcpipChannel(SshdSocketAddress originator, SshdSocketAddress connected) {
        super(originator, connected);
    }

    @Override
    public String getChannelType() {
        return "forwarded-tcpip";
    }
}
