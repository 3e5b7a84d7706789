package dev.portgate.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.unix.RawUnixChannelOption;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Where a connection that nftables/iptables REDIRECT (or DNAT) sent to us was going: conntrack keeps the
 * original destination, and {@code getsockopt(SO_ORIGINAL_DST)} reads it (Linux, native transport).
 * A connection that was not redirected has none.
 */
final class OriginalDestination {

    private static final int SOL_IP = 0;
    private static final int SOL_IPV6 = 41;
    /** SO_ORIGINAL_DST (linux/netfilter_ipv4.h) and IP6T_SO_ORIGINAL_DST share the number. */
    private static final int SO_ORIGINAL_DST = 80;

    private static final RawUnixChannelOption IPV4 =
            new RawUnixChannelOption("SO_ORIGINAL_DST", SOL_IP, SO_ORIGINAL_DST, 16);
    private static final RawUnixChannelOption IPV6 =
            new RawUnixChannelOption("IP6T_SO_ORIGINAL_DST", SOL_IPV6, SO_ORIGINAL_DST, 28);

    private OriginalDestination() {}

    /** The pre-NAT destination of {@code ch}, or empty when conntrack has none for it (not redirected). */
    static Optional<InetSocketAddress> of(Channel ch) {
        boolean v6 = ((InetSocketAddress) ch.localAddress()).getAddress() instanceof Inet6Address;
        try {
            ByteBuffer sockaddr = ch.config().getOption(v6 ? IPV6 : IPV4);
            return sockaddr == null ? Optional.empty() : Optional.of(parse(sockaddr, v6));
        } catch (ChannelException | UnsupportedOperationException | UnknownHostException e) {
            return Optional.empty(); // ENOENT: conntrack knows no original destination for this socket
        }
    }

    /** sockaddr_in: family (2 bytes), port (network order), address (4); sockaddr_in6: family, port, flow info (4), address (16). */
    private static InetSocketAddress parse(ByteBuffer sockaddr, boolean v6) throws UnknownHostException {
        int port = ((sockaddr.get(2) & 0xff) << 8) | (sockaddr.get(3) & 0xff);
        byte[] address = new byte[v6 ? 16 : 4];
        sockaddr.position(v6 ? 8 : 4);
        sockaddr.get(address);
        return new InetSocketAddress(InetAddress.getByAddress(address), port);
    }
}
