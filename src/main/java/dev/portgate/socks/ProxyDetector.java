package dev.portgate.socks;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.DynamicForward;
import dev.portgate.forward.ProxyKind;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.Connection;
import dev.portgate.net.ForwardStats;
import dev.portgate.policy.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.socksx.v4.Socks4ServerDecoder;
import io.netty.handler.codec.socksx.v4.Socks4ServerEncoder;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a proxy connection: asks the policy, then tells SOCKS5 (first byte 5),
 * SOCKS4/4a (4) and HTTP (a letter) apart and installs that protocol's handlers. A handshake must
 * finish within {@link #HANDSHAKE_SECONDS} seconds.
 */
final class ProxyDetector extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(ProxyDetector.class);
    static final int HANDSHAKE_SECONDS = 15;
    static final String HANDSHAKE_EOF = "handshake-eof";

    /**
     * Connections are half-closable (for the relay's sake), so a client that hangs up mid-handshake
     * only shuts its input: close it then. Removed when the relay takes over.
     */
    static final class CloseOnEof extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }
    }

    private final ActiveForward active;
    private final ProxyServices services;
    private ProxyContext context;

    ProxyDetector(ActiveForward active, ProxyServices services) {
        this.active = active;
        this.services = services;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
        if (services.policy().admit(active.forward(), client.getAddress(), active.activeCount())
                instanceof Verdict.Refuse refuse) {
            active.stats().refused(ForwardStats.Refusal.of(refuse.reason()));
            log.debug("forward \"{}\": refused {}: {}", active.name(), Addresses.format(client), refuse.detail());
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            ctx.close();
            return;
        }
        Connection conn = active.openTcp(ctx.channel(), client, "(handshake)");
        context = new ProxyContext(active, conn, services);
        context.handshakeDeadline(ctx.executor()
                .schedule(
                        () -> {
                            log.debug(
                                    "forward \"{}\": {} did not finish its handshake in {} s",
                                    active.name(),
                                    Addresses.format(client),
                                    HANDSHAKE_SECONDS);
                            ctx.close();
                        },
                        HANDSHAKE_SECONDS,
                        TimeUnit.SECONDS));
        ctx.pipeline().addLast(HANDSHAKE_EOF, new CloseOnEof());
        ctx.channel().config().setAutoRead(true);
        ctx.fireChannelActive();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        DynamicForward f = (DynamicForward) active.forward();
        byte first = in.getByte(in.readerIndex());
        ChannelPipeline p = ctx.pipeline();
        String name = ctx.name();
        if (first == 5 && f.proxies().contains(ProxyKind.SOCKS5)) {
            p.addAfter(name, "socks5-handler", new Socks5Handler(context));
            p.addAfter(name, "socks5-decoder", new Socks5InitialRequestDecoder());
            p.addAfter(name, "socks5-encoder", Socks5ServerEncoder.DEFAULT);
        } else if (first == 4 && f.proxies().contains(ProxyKind.SOCKS4)) {
            p.addAfter(name, "socks4-handler", new Socks4Handler(context));
            p.addAfter(name, "socks4-decoder", new Socks4ServerDecoder());
            p.addAfter(name, "socks4-encoder", Socks4ServerEncoder.INSTANCE);
        } else if (Character.isLetter(first) && f.proxies().contains(ProxyKind.HTTP)) {
            p.addAfter(name, "http-proxy", new HttpProxyHandler(context));
        } else {
            log.debug(
                    "forward \"{}\": {} speaks no protocol this proxy answers (first byte {})",
                    active.name(),
                    Addresses.format(ctx.channel().remoteAddress()),
                    first & 0xff);
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        p.remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug(
                "forward \"{}\": {}: {}",
                active.name(),
                Addresses.format(ctx.channel().remoteAddress()),
                cause.toString());
        ctx.close();
    }
}
