package dev.portgate.socks;

import dev.portgate.forward.Addresses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP proxy: {@code CONNECT host:port} tunnels, and absolute-form requests ({@code GET http://…})
 * are sent on to the origin with "Connection: close", one request per connection. Only the request
 * head is parsed; everything after it is relayed byte for byte. Basic auth when the forward has users.
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpProxyHandler.class);
    private static final byte[] END = {'\r', '\n', '\r', '\n'};

    private final ProxyContext pc;
    private ByteBuf head;
    private final List<ByteBuf> after = new ArrayList<>();
    private boolean headDone;

    HttpProxyHandler(ProxyContext pc) {
        this.pc = pc;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        head = ctx.alloc().buffer(512);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        if (headDone) {
            after.add(buf);
            return;
        }
        head.writeBytes(buf);
        buf.release();
        int end = ByteBufUtil.indexOf(Unpooled.wrappedBuffer(END), head);
        if (end < 0) {
            if (head.readableBytes() > HttpHead.MAX_BYTES) {
                respond(ctx, 431, "Request Header Fields Too Large", "the request head is larger than 16 KiB");
            }
            return;
        }
        headDone = true;
        ctx.channel().config().setAutoRead(false);
        String text = head.toString(head.readerIndex(), end - head.readerIndex(), StandardCharsets.ISO_8859_1);
        head.readerIndex(end + END.length);
        if (head.isReadable()) {
            after.add(head.retainedSlice());
        }
        HttpHead h;
        try {
            h = HttpHead.parse(text);
        } catch (IllegalArgumentException e) {
            respond(ctx, 400, "Bad Request", e.getMessage());
            return;
        }
        authorize(ctx, h);
    }

    private void authorize(ChannelHandlerContext ctx, HttpHead h) {
        if (pc.forward().users().isEmpty()) {
            serve(ctx, h);
            return;
        }
        String auth = h.header("Proxy-Authorization");
        String[] credentials = basic(auth);
        if (credentials == null) {
            needAuth(ctx);
            return;
        }
        ProxyAuth.check(pc, ctx, credentials[0], credentials[1], ok -> {
            if (ok) {
                serve(ctx, h);
            } else {
                log.info(
                        "forward \"{}\": HTTP proxy login of \"{}\" from {} refused",
                        pc.active().name(),
                        credentials[0],
                        Addresses.format(ctx.channel().remoteAddress()));
                needAuth(ctx);
            }
        });
    }

    private static String[] basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded =
                    new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void serve(ChannelHandlerContext ctx, HttpHead h) {
        String host;
        int port;
        String originHead = null;
        if (h.method().equals("CONNECT")) {
            int colon = h.target().lastIndexOf(':');
            if (colon <= 0) {
                respond(ctx, 400, "Bad Request", "CONNECT needs host:port");
                return;
            }
            host = h.target().substring(0, colon);
            port = parsePort(h.target().substring(colon + 1));
        } else {
            URI uri;
            try {
                uri = new URI(h.target());
            } catch (URISyntaxException e) {
                respond(ctx, 400, "Bad Request", "the request target is not a URL");
                return;
            }
            if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                respond(ctx, 400, "Bad Request", "this is a proxy: send CONNECT host:port, or an absolute http:// URL");
                return;
            }
            host = uri.getHost();
            port = uri.getPort() < 0 ? 80 : uri.getPort();
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            originHead = h.forOrigin(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery());
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (port < 1 || host.isEmpty() || host.length() > 255) {
            respond(ctx, 400, "Bad Request", "the destination is not a valid host:port");
            return;
        }
        String toOrigin = originHead;
        Channel inbound = ctx.channel();
        ProxyConnector.connect(pc, inbound, host, port, new ProxyConnector.Outcome() {
            @Override
            public void connected(Channel outbound) {
                if (toOrigin == null) {
                    ctx.writeAndFlush(Unpooled.copiedBuffer(
                                    "HTTP/1.1 200 Connection established\r\n\r\n", StandardCharsets.ISO_8859_1))
                            .addListener(f -> start(ctx, inbound, outbound, f.isSuccess()));
                } else {
                    outbound.write(Unpooled.copiedBuffer(toOrigin, StandardCharsets.ISO_8859_1));
                    start(ctx, inbound, outbound, true);
                }
            }

            @Override
            public void refused(Refusal why, String detail) {
                if (why == Refusal.FORBIDDEN) {
                    log.info(
                            "forward \"{}\": HTTP proxy request of {} for {} refused: {}",
                            pc.active().name(),
                            Addresses.format(inbound.remoteAddress()),
                            pc.connection().target(),
                            detail);
                }
                respond(ctx, why.http, why.httpReason, detail);
            }
        });
    }

    private void start(ChannelHandlerContext ctx, Channel inbound, Channel outbound, boolean ok) {
        if (!ok || !inbound.isActive()) {
            outbound.close();
            return;
        }
        pc.handshakeDone();
        for (ByteBuf b : after) {
            outbound.write(b);
        }
        after.clear();
        outbound.flush();
        ctx.pipeline().remove(this);
        ProxyConnector.relay(pc, inbound, outbound);
    }

    private static int parsePort(String s) {
        try {
            int p = Integer.parseInt(s);
            return p >= 1 && p <= 65535 ? p : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void needAuth(ChannelHandlerContext ctx) {
        String body = "this proxy needs a user name and password\n";
        ctx.writeAndFlush(Unpooled.copiedBuffer(
                        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"portgate\"\r\n"
                                + "Content-Type: text/plain\r\nContent-Length: " + body.length()
                                + "\r\nConnection: close\r\n\r\n" + body,
                        StandardCharsets.ISO_8859_1))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void respond(ChannelHandlerContext ctx, int status, String reason, String detail) {
        headDone = true;
        String body = detail + "\n";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ctx.writeAndFlush(Unpooled.copiedBuffer(
                        "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n",
                        StandardCharsets.ISO_8859_1))
                .addListener(
                        f -> ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener(ChannelFutureListener.CLOSE));
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (head != null) {
            head.release();
            head = null;
        }
        after.forEach(ByteBuf::release);
        after.clear();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        after.forEach(ByteBuf::release);
        after.clear();
        ctx.fireChannelInactive();
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
