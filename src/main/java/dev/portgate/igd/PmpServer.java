package dev.portgate.igd;

import dev.portgate.forward.Addresses;
import dev.portgate.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP 5351 on each LAN address: NAT-PMP (version 0) and PCP (version 2) share the port, told apart
 * by the first byte. Only LAN peers are answered; the answer leaves from the address the request came to.
 */
final class PmpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PmpServer.class);
    /** Where clients listen for announcements (RFC 6886 §3.2.1, RFC 6887 §14.1). */
    static final int CLIENT_PORT = 5350;

    private final IgdService igd;
    private final Transport transport;
    private final NatPmp natPmp;
    private final Pcp pcp;
    private final List<Channel> channels = new ArrayList<>();

    PmpServer(IgdService igd, Transport transport) {
        this.igd = igd;
        this.transport = transport;
        this.natPmp = new NatPmp(igd);
        this.pcp = new Pcp(igd);
    }

    void start(List<InetAddress> lan, int port) throws IOException {
        for (InetAddress a : lan) {
            try {
                Channel ch = new Bootstrap()
                        .group(transport.group())
                        .channel(transport.datagramChannel())
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .handler(new Handler())
                        .bind(new InetSocketAddress(a, port))
                        .syncUninterruptibly()
                        .channel();
                channels.add(ch);
            } catch (RuntimeException e) {
                close();
                throw new IOException(
                        "cannot listen on " + Addresses.hostPort(a.getHostAddress(), port) + " for NAT-PMP/PCP: "
                                + e.getMessage(),
                        e);
            }
        }
        log.info(
                "NAT-PMP/PCP on {} port {}",
                lan.stream().map(InetAddress::getHostAddress).toList(),
                port);
    }

    /** Tells the LAN the external address and epoch: NAT-PMP's address announcement and PCP's ANNOUNCE. */
    void announce() {
        for (Channel ch : channels) {
            InetAddress local = ((InetSocketAddress) ch.localAddress()).getAddress();
            InetSocketAddress group =
                    new InetSocketAddress(local instanceof Inet4Address ? "224.0.0.1" : "ff02::1", CLIENT_PORT);
            if (igd.natPmpOn() && local instanceof Inet4Address) {
                send(ch, natPmp.publicAddress(), group);
            }
            if (igd.pcpOn()) {
                send(ch, pcp.announce(), group);
            }
        }
    }

    private static void send(Channel ch, byte[] bytes, InetSocketAddress to) {
        ch.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), to)).addListener(f -> {
            if (!f.isSuccess()) {
                log.debug("announcement to {} not sent: {}", to, f.cause().toString());
            }
        });
    }

    @Override
    public void close() {
        for (Channel ch : channels) {
            ch.close().syncUninterruptibly();
        }
        channels.clear();
    }

    private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress sender = packet.sender();
            InetAddress client = Addresses.unmap(sender.getAddress());
            if (!igd.lanPeers().contains(client)) {
                igd.stats().count("pmp", "not-lan");
                return;
            }
            byte[] request = ByteBufUtil.getBytes(packet.content());
            int version = request.length == 0 ? -1 : request[0] & 0xff;
            CompletableFuture<Optional<byte[]>> answer;
            try {
                answer = version == NatPmp.VERSION ? natPmp.handle(request, client) : pcp.handle(request, client);
            } catch (RuntimeException e) {
                // A packet the parsers did not foresee: dropped and counted, never the service.
                igd.stats().count("pmp", "malformed");
                log.debug("NAT-PMP/PCP packet from {} not understood: {}", client.getHostAddress(), e.toString());
                return;
            }
            answer.whenComplete((reply, error) -> {
                if (error != null) {
                    log.warn("NAT-PMP/PCP request from {} failed: {}", client.getHostAddress(), error.toString());
                } else if (reply.isPresent()) {
                    ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(reply.get()), sender));
                }
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("NAT-PMP/PCP socket: {}", cause.toString());
        }
    }
}
