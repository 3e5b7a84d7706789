package dev.portgate.forward;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/** IP literal parsing that never touches DNS. */
public final class Addresses {

    private Addresses() {}

    /** Parses an IPv4 or IPv6 literal (brackets allowed), or returns null if it is not one. */
    public static InetAddress literal(String text) {
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) become plain IPv4, so CIDRs match either form. */
    public static InetAddress unmap(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            for (int i = 0; i < 10; i++) {
                if (b[i] != 0) {
                    return address;
                }
            }
            if ((b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    return address;
                }
            }
        }
        return address;
    }

    /** host:port with brackets around IPv6 literals. */
    public static String hostPort(String host, Object port) {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /** ip:port (IPv6 in brackets), without the host name or leading slash that InetSocketAddress prints. */
    public static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress a) {
            String host = a.getAddress() == null ? a.getHostString() : NetUtil.toAddressString(a.getAddress());
            return hostPort(host, a.getPort());
        }
        return String.valueOf(address);
    }
}
