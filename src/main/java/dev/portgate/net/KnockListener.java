package dev.portgate.net;

import dev.portgate.forward.Addresses;
import dev.portgate.policy.KnockPacket;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP port knocks arrive on. Each datagram is handed, off the event loop, to {@code onKnock};
 * nothing is ever sent back, so a scanner learns nothing from this port.
 */
public final class KnockListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KnockListener.class);

    private final Channel channel;

    private KnockListener(Channel channel) {
        this.channel = channel;
    }

    public static KnockListener open(
            Transport transport, InetSocketAddress address, Executor workers, BiConsumer<byte[], InetAddress> onKnock)
            throws IOException {
        try {
            Channel ch = new Bootstrap()
                    .group(transport.group())
                    .channel(transport.datagramChannel())
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                            // Oversized datagrams are cut to one byte past the limit: still counted, never copied
                            // whole.
                            int n = Math.min(packet.content().readableBytes(), KnockPacket.MAX_SIZE + 1);
                            byte[] bytes = ByteBufUtil.getBytes(
                                    packet.content(), packet.content().readerIndex(), n);
                            InetAddress source = Addresses.unmap(packet.sender().getAddress());
                            try {
                                workers.execute(() -> onKnock.accept(bytes, source));
                            } catch (RejectedExecutionException e) {
                                log.debug("knock from {} dropped: workers busy", source.getHostAddress());
                            }
                        }
                    })
                    .bind(address)
                    .syncUninterruptibly()
                    .channel();
            log.info("knocks received on udp {}", Addresses.format(ch.localAddress()));
            return new KnockListener(ch);
        } catch (RuntimeException e) {
            throw new IOException(
                    "cannot listen for knocks on udp " + Addresses.format(address) + ": " + Errors.reason(e), e);
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
