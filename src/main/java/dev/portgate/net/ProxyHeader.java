package dev.portgate.net;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.ProxyProtocol;
import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Writes the HAProxy PROXY header (v1 text or v2 binary) that tells the target who the client is. */
final class ProxyHeader {

    private ProxyHeader() {}

    static void write(Channel outbound, ProxyProtocol version, InetSocketAddress client, InetSocketAddress local) {
        InetAddress src = Addresses.unmap(client.getAddress());
        InetAddress dst = Addresses.unmap(local.getAddress());
        boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        HAProxyMessage msg = new HAProxyMessage(
                version == ProxyProtocol.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2,
                HAProxyCommand.PROXY,
                v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                text(src, v4),
                text(dst, v4),
                client.getPort(),
                local.getPort());
        outbound.pipeline().addFirst("proxy-header", HAProxyMessageEncoder.INSTANCE);
        outbound.write(msg, outbound.voidPromise());
        outbound.pipeline().remove("proxy-header");
    }

    /** An IPv4 address in a TCP6 header is written in its mapped IPv6 form. */
    private static String text(InetAddress a, boolean v4) {
        if (v4 || !(a instanceof Inet4Address)) {
            return NetUtil.toAddressString(a);
        }
        return "::ffff:" + a.getHostAddress();
    }
}
