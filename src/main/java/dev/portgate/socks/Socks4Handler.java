package dev.portgate.socks;

import dev.portgate.forward.Addresses;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.socksx.v4.DefaultSocks4CommandResponse;
import io.netty.handler.codec.socksx.v4.Socks4CommandRequest;
import io.netty.handler.codec.socksx.v4.Socks4CommandStatus;
import io.netty.handler.codec.socksx.v4.Socks4CommandType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SOCKS4 and SOCKS4a CONNECT (4a: the gateway resolves the name). SOCKS4 has no passwords, so a
 * proxy with users refuses it.
 */
final class Socks4Handler extends SimpleChannelInboundHandler<Socks4CommandRequest> {

    private static final Logger log = LoggerFactory.getLogger(Socks4Handler.class);

    private final ProxyContext pc;

    Socks4Handler(ProxyContext pc) {
        this.pc = pc;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Socks4CommandRequest req) {
        ctx.channel().config().setAutoRead(false);
        if (req.decoderResult().isFailure()
                || !req.type().equals(Socks4CommandType.CONNECT)
                || !pc.forward().users().isEmpty()) {
            log.debug(
                    "forward \"{}\": SOCKS4 request from {} refused ({})",
                    pc.active().name(),
                    Addresses.format(ctx.channel().remoteAddress()),
                    req.decoderResult().isFailure()
                            ? "malformed"
                            : !pc.forward().users().isEmpty() ? "this proxy needs a password" : "only CONNECT");
            reject(ctx);
            return;
        }
        Channel inbound = ctx.channel();
        ProxyConnector.connect(pc, inbound, req.dstAddr(), req.dstPort(), new ProxyConnector.Outcome() {
            @Override
            public void connected(Channel outbound) {
                ProxyConnector.replyThenRelay(
                        pc,
                        ctx,
                        new DefaultSocks4CommandResponse(Socks4CommandStatus.SUCCESS),
                        outbound,
                        "socks4-decoder",
                        "socks4-encoder");
            }

            @Override
            public void refused(Refusal why, String detail) {
                log.debug(
                        "forward \"{}\": SOCKS4 request of {} refused: {}",
                        pc.active().name(),
                        Addresses.format(inbound.remoteAddress()),
                        detail);
                reject(ctx);
            }
        });
    }

    private static void reject(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new DefaultSocks4CommandResponse(Socks4CommandStatus.REJECTED_OR_FAILED))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
