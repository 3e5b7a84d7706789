package dev.portgate.igd;

import dev.portgate.forward.Addresses;
import dev.portgate.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UPnP IGD's HTTP side on each LAN address: the device and service descriptions, SOAP control
 * and GENA eventing; and the SSDP responder that points devices at it. Requests from outside the
 * LAN networks are closed unanswered; bodies above 16 KiB get 413.
 */
final class UpnpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpnpServer.class);
    static final String SERVER = "Linux UPnP/1.1 portgate/1";

    private final IgdService igd;
    private final Transport transport;
    private final UpnpActions actions;
    private final Descriptions descriptions;
    private final Gena gena;
    private final List<Channel> channels = new ArrayList<>();
    private Ssdp ssdp;
    private String descriptionUrl;
    private int port;

    UpnpServer(IgdService igd, Transport transport) {
        this.igd = igd;
        this.transport = transport;
        this.actions = new UpnpActions(igd);
        this.descriptions = new Descriptions(String.valueOf(igd.config().lan()));
        this.gena = new Gena(igd, new EventDelivery(transport));
    }

    void start(List<InetAddress> lan, int httpPort) throws IOException {
        for (InetAddress a : lan) {
            try {
                Channel ch = new ServerBootstrap()
                        .group(transport.group())
                        .channel(transport.serverChannel())
                        .childHandler(new ChannelInitializer<>() {
                            @Override
                            protected void initChannel(Channel c) {
                                c.pipeline()
                                        .addLast(
                                                new ReadTimeoutHandler(30),
                                                new HttpServerCodec(4096, 8192, 8192),
                                                new HttpObjectAggregator(Soap.MAX_BODY),
                                                new Handler());
                            }
                        })
                        .bind(new InetSocketAddress(a, httpPort))
                        .syncUninterruptibly()
                        .channel();
                channels.add(ch);
            } catch (RuntimeException e) {
                close();
                throw new IOException(
                        "cannot listen on " + Addresses.hostPort(a.getHostAddress(), httpPort) + " for UPnP: "
                                + e.getMessage(),
                        e);
            }
        }
        this.port = ((InetSocketAddress) channels.get(0).localAddress()).getPort();
        this.descriptionUrl =
                "http://" + Addresses.hostPort(lan.get(0).getHostAddress(), port) + Descriptions.ROOT_PATH;
        log.info("UPnP IGD on {}", descriptionUrl);
        ssdp = new Ssdp(igd, transport, descriptions, port);
        ssdp.start(lan);
    }

    String descriptionUrl() {
        return descriptionUrl;
    }

    @Override
    public void close() {
        if (ssdp != null) {
            ssdp.close();
            ssdp = null;
        }
        for (Channel ch : channels) {
            ch.close().syncUninterruptibly();
        }
        channels.clear();
        gena.close();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            InetAddress peer =
                    Addresses.unmap(((InetSocketAddress) ctx.channel().remoteAddress()).getAddress());
            if (!igd.lanPeers().contains(peer)) {
                igd.stats().count("upnp", "not-lan");
                ctx.close();
                return;
            }
            if (!request.decoderResult().isSuccess()) {
                igd.stats().count("upnp", "malformed");
                send(ctx, text(HttpResponseStatus.BAD_REQUEST, "text/plain", "bad request\n"));
                return;
            }
            String path = request.uri().split("\\?", 2)[0];
            HttpMethod method = request.method();
            String local = Addresses.hostPort(
                    ((InetSocketAddress) ctx.channel().localAddress())
                            .getAddress()
                            .getHostAddress(),
                    port);
            if (method.equals(HttpMethod.GET)) {
                switch (path) {
                    case Descriptions.ROOT_PATH -> send(
                            ctx, xml(HttpResponseStatus.OK, descriptions.root(igd.presentationUrl(local))));
                    case Descriptions.IP_SCPD -> send(ctx, xml(HttpResponseStatus.OK, Descriptions.ipScpd()));
                    case Descriptions.CIF_SCPD -> send(ctx, xml(HttpResponseStatus.OK, Descriptions.cifScpd()));
                    default -> send(ctx, text(HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n"));
                }
            } else if (method.equals(HttpMethod.POST)
                    && (path.equals(Descriptions.IP_CONTROL) || path.equals(Descriptions.CIF_CONTROL))) {
                control(ctx, request, peer, path);
            } else if (method.name().equals("SUBSCRIBE") || method.name().equals("UNSUBSCRIBE")) {
                send(ctx, gena.handle(request, peer, path));
            } else {
                send(ctx, text(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "method not allowed\n"));
            }
        }

        private void control(ChannelHandlerContext ctx, FullHttpRequest request, InetAddress peer, String path) {
            igd.stats().count("upnp", "requests");
            byte[] body = ByteBufUtil.getBytes(request.content());
            String soapAction = request.headers().get("SOAPAction");
            Soap.Call call;
            try {
                call = Soap.parse(body, soapAction);
                boolean ipService = path.equals(Descriptions.IP_CONTROL);
                if (ipService != call.serviceType().startsWith("urn:schemas-upnp-org:service:WANIPConnection:")) {
                    throw new UpnpError(
                            UpnpError.INVALID_ACTION, "action " + call.action() + " is not one of this service's");
                }
            } catch (UpnpError e) {
                igd.stats().count("upnp", "malformed");
                send(ctx, fault(e));
                return;
            }
            igd.submit(() -> {
                        try {
                            Map<String, String> out = actions.run(call, peer);
                            return xml(HttpResponseStatus.OK, Soap.response(call, out));
                        } catch (UpnpError e) {
                            if (e.code == UpnpError.INVALID_ACTION || e.code == UpnpError.INVALID_ARGS) {
                                igd.stats().count("upnp", "malformed");
                            }
                            return fault(e);
                        }
                    })
                    .whenComplete((response, error) -> {
                        if (error != null) {
                            log.warn(
                                    "UPnP {} from {} failed: {}",
                                    call.action(),
                                    peer.getHostAddress(),
                                    error.toString());
                            send(
                                    ctx,
                                    fault(new UpnpError(
                                            UpnpError.ACTION_FAILED, "the action failed inside the gateway")));
                        } else {
                            send(ctx, response);
                        }
                        igd.submit(() -> {
                            gena.changed();
                            return null;
                        });
                    });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("UPnP HTTP connection: {}", cause.toString());
            ctx.close();
        }
    }

    private static FullHttpResponse fault(UpnpError e) {
        FullHttpResponse r = xml(HttpResponseStatus.INTERNAL_SERVER_ERROR, Soap.fault(e.code, e.getMessage()));
        return r;
    }

    static FullHttpResponse xml(HttpResponseStatus status, String body) {
        return text(status, "text/xml; charset=\"utf-8\"", body);
    }

    static FullHttpResponse text(HttpResponseStatus status, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, type)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.SERVER, SERVER)
                .set("EXT", "");
        return r;
    }

    /** One request per connection, as UPnP clients expect: answer, then close. */
    private static void send(ChannelHandlerContext ctx, FullHttpResponse response) {
        response.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
