package dev.portgate.net;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.ProxyProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
public final class ProxyHeader {

    private ProxyHeader() {}

    public static void write(
            Channel outbound, ProxyProtocol version, InetSocketAddress client, InetSocketAddress local) {
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
        // Sent at once: a target of a protocol where the server speaks first waits for this header before it does.
        outbound.writeAndFlush(msg, outbound.voidPromise());
        outbound.pipeline().remove("proxy-header");
    }

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** The binary v2 header for one UDP datagram (family INET or INET6, DGRAM), put before its payload. */
    public static ByteBuf udpV2(ByteBufAllocator alloc, InetSocketAddress client, InetSocketAddress local) {
        InetAddress src = Addresses.unmap(client.getAddress());
        InetAddress dst = Addresses.unmap(local.getAddress());
        boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        byte[] s = v4 ? src.getAddress() : mapped(src);
        byte[] d = v4 ? dst.getAddress() : mapped(dst);
        ByteBuf out = alloc.directBuffer(16 + 2 * s.length + 4);
        out.writeBytes(V2_SIGNATURE);
        out.writeByte(0x21); // version 2, PROXY
        out.writeByte(v4 ? 0x12 : 0x22); // INET or INET6, over DGRAM
        out.writeShort(2 * s.length + 4);
        out.writeBytes(s).writeBytes(d);
        out.writeShort(client.getPort()).writeShort(local.getPort());
        return out;
    }

    private static byte[] mapped(InetAddress a) {
        if (!(a instanceof Inet4Address)) {
            return a.getAddress();
        }
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(a.getAddress(), 0, out, 12, 4);
        return out;
    }

    /** An IPv4 address in a TCP6 header is written in its mapped IPv6 form. */
    private static String text(InetAddress a, boolean v4) {
        if (v4 || !(a instanceof Inet4Address)) {
            return NetUtil.toAddressString(a);
        }
        return "::ffff:" + a.getHostAddress();
    }
}
