package dev.portgate.socks;

import dev.portgate.forward.Addresses;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.socksx.SocksMessage;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;
import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SOCKS5 (RFC 1928) with username/password (RFC 1929) or no authentication: CONNECT and
 * UDP ASSOCIATE; BIND is answered "command not supported".
 */
final class Socks5Handler extends SimpleChannelInboundHandler<SocksMessage> {

    private static final Logger log = LoggerFactory.getLogger(Socks5Handler.class);

    private final ProxyContext pc;

    Socks5Handler(ProxyContext pc) {
        this.pc = pc;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, SocksMessage msg) {
        if (msg.decoderResult().isFailure()) {
            malformed(ctx, msg);
            return;
        }
        if (msg instanceof Socks5InitialRequest init) {
            greet(ctx, init);
        } else if (msg instanceof Socks5PasswordAuthRequest auth) {
            authenticate(ctx, auth);
        } else if (msg instanceof Socks5CommandRequest cmd) {
            command(ctx, cmd);
        } else {
            ctx.close();
        }
    }

    private void greet(ChannelHandlerContext ctx, Socks5InitialRequest init) {
        boolean needUsers = !pc.forward().users().isEmpty();
        Socks5AuthMethod wanted = needUsers ? Socks5AuthMethod.PASSWORD : Socks5AuthMethod.NO_AUTH;
        if (!init.authMethods().contains(wanted)) {
            log.info(
                    "forward \"{}\": {} offered no acceptable SOCKS5 method (needs {})",
                    pc.active().name(),
                    Addresses.format(ctx.channel().remoteAddress()),
                    needUsers ? "username/password" : "none");
            ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ChannelPipeline p = ctx.pipeline();
        p.replace(
                "socks5-decoder",
                "socks5-decoder",
                needUsers ? new Socks5PasswordAuthRequestDecoder() : new Socks5CommandRequestDecoder());
        ctx.writeAndFlush(new DefaultSocks5InitialResponse(wanted));
    }

    private void authenticate(ChannelHandlerContext ctx, Socks5PasswordAuthRequest auth) {
        ctx.channel().config().setAutoRead(false);
        ProxyAuth.check(pc, ctx, auth.username(), auth.password(), ok -> {
            if (!ok) {
                log.info(
                        "forward \"{}\": SOCKS5 login of \"{}\" from {} refused",
                        pc.active().name(),
                        auth.username(),
                        Addresses.format(ctx.channel().remoteAddress()));
                ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.FAILURE))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.pipeline().replace("socks5-decoder", "socks5-decoder", new Socks5CommandRequestDecoder());
            ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.SUCCESS));
            ctx.channel().config().setAutoRead(true);
        });
    }

    private void command(ChannelHandlerContext ctx, Socks5CommandRequest cmd) {
        ctx.channel().config().setAutoRead(false);
        if (cmd.type().equals(Socks5CommandType.CONNECT)) {
            connect(ctx, cmd);
        } else if (cmd.type().equals(Socks5CommandType.UDP_ASSOCIATE)) {
            pc.handshakeDone();
            UdpAssociation.start(pc, ctx, cmd);
        } else {
            refuse(ctx, Refusal.COMMAND_UNSUPPORTED, "command " + cmd.type() + " is not supported");
        }
    }

    private void connect(ChannelHandlerContext ctx, Socks5CommandRequest cmd) {
        Channel inbound = ctx.channel();
        ProxyConnector.connect(pc, inbound, cmd.dstAddr(), cmd.dstPort(), new ProxyConnector.Outcome() {
            @Override
            public void connected(Channel outbound) {
                if (!inbound.isActive()) {
                    outbound.close();
                    return;
                }
                // Through an SSH tunnel there is no local socket of ours: the bound address is then 0.0.0.0:0.
                InetSocketAddress bound =
                        outbound.localAddress() instanceof InetSocketAddress a && a.getAddress() != null
                                ? a
                                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
                boolean v6 = bound.getAddress() instanceof Inet6Address;
                String boundHost = bound.getPort() == 0 ? "0.0.0.0" : NetUtil.toAddressString(bound.getAddress());
                ProxyConnector.replyThenRelay(
                        pc,
                        ctx,
                        new DefaultSocks5CommandResponse(
                                Socks5CommandStatus.SUCCESS,
                                v6 && bound.getPort() != 0 ? Socks5AddressType.IPv6 : Socks5AddressType.IPv4,
                                boundHost,
                                bound.getPort()),
                        outbound,
                        "socks5-decoder",
                        "socks5-encoder");
            }

            @Override
            public void refused(Refusal why, String detail) {
                refuse(ctx, why, detail);
            }
        });
    }

    private void refuse(ChannelHandlerContext ctx, Refusal why, String detail) {
        String line = "forward \"{}\": SOCKS5 request of {} for {} refused ({}): {}";
        Object[] args = {
            pc.active().name(),
            Addresses.format(ctx.channel().remoteAddress()),
            pc.connection().target(),
            why.socks5,
            detail
        };
        if (why == Refusal.FORBIDDEN) {
            log.info(line, args);
        } else {
            log.debug(line, args);
        }
        ctx.writeAndFlush(new DefaultSocks5CommandResponse(why.socks5, Socks5AddressType.IPv4, "0.0.0.0", 0))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void malformed(ChannelHandlerContext ctx, SocksMessage msg) {
        String cause = String.valueOf(msg.decoderResult().cause());
        log.debug(
                "forward \"{}\": malformed SOCKS5 from {}: {}",
                pc.active().name(),
                Addresses.format(ctx.channel().remoteAddress()),
                cause);
        if (msg instanceof Socks5CommandRequest && cause.contains("address type")) {
            ctx.writeAndFlush(new DefaultSocks5CommandResponse(
                            Socks5CommandStatus.ADDRESS_UNSUPPORTED, Socks5AddressType.IPv4, "0.0.0.0", 0))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug(
                "forward \"{}\": {}: {}",
                pc.active().name(),
                Addresses.format(ctx.channel().remoteAddress()),
                cause.toString());
        ctx.close();
    }
}
