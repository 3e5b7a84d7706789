package dev.portgate.net;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;

/** Socket options shared by both sides of every relayed TCP connection (TCP_NODELAY is on by Netty's default). */
final class TcpOptions {

    /** High enough to keep a fast link busy, low enough that a slow reader holds little memory. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(128 * 1024, 512 * 1024);

    private TcpOptions() {}

    static void apply(AbstractBootstrap<?, ?> b) {
        // TCP_NODELAY is Netty's default already; setting it again would cost a syscall per socket.
        b.option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
    }

    static void applyChild(ServerBootstrap b) {
        b.childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
    }
}
