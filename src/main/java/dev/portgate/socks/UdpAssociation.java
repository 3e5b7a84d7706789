package dev.portgate.socks;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Protocol;
import dev.portgate.net.Drain;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SOCKS5 UDP ASSOCIATE (RFC 1928 §7): one UDP socket per association, on the address the client
 * reached us at. Datagrams from the client (its address only) lose their SOCKS header and go to the
 * destination it names, if policy permits; replies from destinations the client has sent to get a
 * header and go back. Fragments (FRAG ≠ 0) are dropped, as the RFC allows. The association lives as
 * long as its TCP connection.
 */
final class UdpAssociation extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger log = LoggerFactory.getLogger(UdpAssociation.class);
    private static final int MAX_PEERS = 4096;

    private final ProxyContext pc;
    private final InetAddress clientAddress;
    private int clientPort;
    private final Set<InetSocketAddress> contacted = new HashSet<>();

    private UdpAssociation(ProxyContext pc, InetAddress clientAddress, int clientPort) {
        super(false);
        this.pc = pc;
        this.clientAddress = clientAddress;
        this.clientPort = clientPort;
    }

    static void start(ProxyContext pc, ChannelHandlerContext ctx, Socks5CommandRequest cmd) {
        Channel control = ctx.channel();
        InetSocketAddress local = (InetSocketAddress) control.localAddress();
        InetAddress client = ((InetSocketAddress) control.remoteAddress()).getAddress();
        // A client may say which port it will send from; 0 means "learn it from the first datagram".
        UdpAssociation association = new UdpAssociation(pc, client, cmd.dstPort());
        pc.connection().target("udp-associate");
        new Bootstrap()
                .group(control.eventLoop())
                .channel(pc.transport().datagramChannel())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65536))
                .handler(association)
                .bind(new InetSocketAddress(local.getAddress(), 0))
                .addListener(f -> {
                    ChannelFuture bound = (ChannelFuture) f;
                    if (!f.isSuccess()) {
                        ctx.writeAndFlush(new DefaultSocks5CommandResponse(
                                        Socks5CommandStatus.FAILURE, Socks5AddressType.IPv4, "0.0.0.0", 0))
                                .addListener(ChannelFutureListener.CLOSE);
                        return;
                    }
                    Channel udp = bound.channel();
                    control.closeFuture().addListener(x -> udp.close());
                    udp.closeFuture().addListener(x -> control.close());
                    InetSocketAddress at = (InetSocketAddress) udp.localAddress();
                    boolean v6 = at.getAddress() instanceof Inet6Address;
                    ctx.writeAndFlush(new DefaultSocks5CommandResponse(
                            Socks5CommandStatus.SUCCESS,
                            v6 ? Socks5AddressType.IPv6 : Socks5AddressType.IPv4,
                            NetUtil.toAddressString(at.getAddress()),
                            at.getPort()));
                    ctx.pipeline().remove("socks5-decoder");
                    ctx.pipeline().remove("socks5-encoder");
                    ctx.pipeline().replace(ctx.name(), "udp-control", Drain.INSTANCE);
                    control.config().setAutoRead(true);
                    log.debug(
                            "forward \"{}\": UDP association for {} on {}",
                            pc.active().name(),
                            Addresses.format(control.remoteAddress()),
                            Addresses.format(at));
                });
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        InetSocketAddress sender = packet.sender();
        try {
            if (Addresses.unmap(sender.getAddress()).equals(Addresses.unmap(clientAddress))
                    && (clientPort == 0 || clientPort == sender.getPort())) {
                clientPort = sender.getPort();
                fromClient(ctx, packet.content());
            } else if (contacted.contains(sender)) {
                toClient(ctx, sender, packet.content());
            } else {
                pc.active().stats().packetDropped();
                packet.release();
            }
        } catch (RuntimeException e) {
            pc.active().stats().packetDropped();
            packet.release();
        }
    }

    private void fromClient(ChannelHandlerContext ctx, ByteBuf in) {
        // RSV(2) FRAG(1) ATYP(1) DST.ADDR DST.PORT(2) DATA
        if (in.readableBytes() < 4 + 1 + 2) {
            drop(in, "a datagram too short for a SOCKS header");
            return;
        }
        in.skipBytes(2);
        int frag = in.readUnsignedByte();
        if (frag != 0) {
            drop(in, "a fragment (FRAG " + frag + ")");
            return;
        }
        int atyp = in.readUnsignedByte();
        String host;
        if (atyp == 1 && in.readableBytes() >= 6) {
            host = NetUtil.bytesToIpAddress(readBytes(in, 4));
        } else if (atyp == 4 && in.readableBytes() >= 18) {
            host = NetUtil.bytesToIpAddress(readBytes(in, 16));
        } else if (atyp == 3
                && in.readableBytes() >= 1
                && in.readableBytes() >= 1 + in.getUnsignedByte(in.readerIndex()) + 2) {
            int len = in.readUnsignedByte();
            host = in.readCharSequence(len, StandardCharsets.US_ASCII).toString();
        } else {
            drop(in, "a datagram with a bad address (type " + atyp + ")");
            return;
        }
        int port = in.readUnsignedShort();
        ByteBuf data = in.retainedSlice();
        in.release();
        pc.active().stats().packetIn(data.readableBytes());
        pc.connection().addIn(data.readableBytes());
        InetAddress literal = Addresses.literal(host);
        if (literal != null) {
            send(ctx, null, literal, port, data);
            return;
        }
        pc.transport()
                .resolver()
                .getResolver(ctx.channel().eventLoop())
                .resolve(InetSocketAddress.createUnresolved(host, port))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        data.release();
                        pc.active().stats().packetDropped();
                        return;
                    }
                    send(ctx, host, ((InetSocketAddress) f.getNow()).getAddress(), port, data);
                });
    }

    private void send(ChannelHandlerContext ctx, String name, InetAddress address, int port, ByteBuf data) {
        String why = ProxyConnector.forbidden(pc.forward(), name, address, port);
        if (why != null || port == 0) {
            log.debug(
                    "forward \"{}\": UDP datagram to {} dropped: {}",
                    pc.active().name(),
                    Addresses.hostPort(name == null ? NetUtil.toAddressString(address) : name, port),
                    why == null ? "port 0" : why);
            pc.active().stats().packetDropped();
            data.release();
            return;
        }
        InetSocketAddress to = new InetSocketAddress(Addresses.unmap(address), port);
        pc.egress().outbound(Addresses.unmap(clientAddress), Protocol.UDP, port);
        if (contacted.size() < MAX_PEERS) {
            contacted.add(to);
        }
        ctx.writeAndFlush(new DatagramPacket(data, to));
    }

    private void toClient(ChannelHandlerContext ctx, InetSocketAddress from, ByteBuf data) {
        InetAddress a = Addresses.unmap(from.getAddress());
        byte[] addr = a.getAddress();
        ByteBuf out = ctx.alloc().buffer(4 + addr.length + 2 + data.readableBytes());
        out.writeShort(0)
                .writeByte(0)
                .writeByte(a instanceof Inet4Address ? 1 : 4)
                .writeBytes(addr)
                .writeShort(from.getPort());
        int n = data.readableBytes();
        out.writeBytes(data);
        data.release();
        pc.active().stats().packetOut(n);
        pc.connection().addOut(n);
        ctx.writeAndFlush(new DatagramPacket(out, new InetSocketAddress(clientAddress, clientPort)));
    }

    private void drop(ByteBuf in, String what) {
        log.debug("forward \"{}\": dropped {} from the client", pc.active().name(), what);
        pc.active().stats().packetDropped();
        in.release();
    }

    private static byte[] readBytes(ByteBuf in, int n) {
        byte[] b = new byte[n];
        in.readBytes(b);
        return b;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("forward \"{}\": UDP association: {}", pc.active().name(), cause.toString());
    }

    static InetAddress parse(String ip) throws UnknownHostException {
        return InetAddress.getByName(ip);
    }
}
