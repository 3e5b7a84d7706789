package dev.portgate.http;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.BadHost;
import dev.portgate.forward.HostName;
import dev.portgate.forward.Protection;
import dev.portgate.forward.Protocol;
import dev.portgate.net.Connection;
import dev.portgate.net.ForwardStats;
import dev.portgate.net.Relay;
import dev.portgate.net.TargetHealth;
import dev.portgate.policy.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the name-routing front end, or one HTTP/2 stream: reads a request, finds the site by its
 * Host, asks the policy, and carries the request to the site's target and the response back. One exchange at a
 * time: the next request is read only once the response is out, and every part is read only when the previous one
 * is written, so a slow client or target holds the other back with no queue. A connection to a target is kept for
 * the next request to the same site; a WebSocket upgrade turns the pair into a plain relay.
 */
final class HttpExchange extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpExchange.class);
    /** Response heads larger than this from a target are refused (Netty's defaults, doubled for cookies). */
    private static final int MAX_TARGET_HEADER = 16 * 1024;
    /** A sign-in form is a name, a password and a path. */
    private static final int MAX_FORM = 4096;

    private final Front front;
    private final boolean secure;
    /** The TLS server name the client asked for, or null (plain, or no name sent). */
    private final HostName serverName;
    /** An HTTP/2 stream carries one exchange and ends with it. */
    private final boolean stream;

    private ChannelHandlerContext ctx;
    private InetSocketAddress client;
    private Site site;
    private Channel target;
    private Connection conn;
    private boolean targetReady;
    /** Request parts that arrived before the target connection was ready. */
    private final ArrayDeque<HttpObject> waiting = new ArrayDeque<>();
    /** Whole requests pipelined behind the one in progress. */
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    /** Target bytes that followed a 101 answer: the first frames of the new protocol. */
    private final List<ByteBuf> afterSwitch = new ArrayList<>();

    private boolean inExchange;
    private boolean requestDone = true;
    private boolean responseStarted;
    private boolean informational;
    private boolean upgrade;
    /** A head was written without a flush (to the client, to the target); the read that decoded it flushes it. */
    private boolean responseUnflushed;

    private boolean requestUnflushed;
    private boolean switching;
    private boolean closeAfter;
    private boolean targetCloses;
    /** The connection now carries the upgraded protocol's bytes. */
    private boolean switched;
    /** A HEAD answer has no body whatever its headers say. */
    private boolean head;
    /**
     * The target connection was taken from the site's idle ones; with the request head sent to it (and no body), a
     * close before any answer is the race with the target's own idle close, and the request is sent again on a new
     * connection, as nginx does for requests that may be repeated.
     */
    private boolean reusedTarget;

    private HttpRequest sentHead;
    private boolean sentBody;
    /** A sign-in form being read, for the login wall; null otherwise. */
    private ByteBuf form;

    private HostName formHost;
    /** Ends a request head that began but is not whole in time (slow loris); null while none is coming in. */
    private ScheduledFuture<?> headDeadline;

    HttpExchange(Front front, boolean secure, HostName serverName, boolean stream) {
        this.front = front;
        this.secure = secure;
        this.serverName = serverName;
        this.stream = stream;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        Channel connection = connection(ctx.channel());
        this.client = (InetSocketAddress) connection.remoteAddress();
        ctx.channel().closeFuture().addListener(f -> closed());
        if (ctx.channel().isActive()) {
            ctx.read();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject obj)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (inExchange && requestDone) {
            backlog.add(obj);
            return;
        }
        handle(obj);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushRequest();
        // A part that did not finish a request head (or body) asks for more, unless a write is pending on the target.
        if (!inExchange && backlog.isEmpty()) {
            ctx.read();
        }
    }

    /** Bytes came in: if no exchange is under way they begin a request head, which must be whole in time. */
    void bytesArrived() {
        if (!inExchange && headDeadline == null && !stream) {
            long millis = front.config().headerTimeout().toMillis();
            headDeadline = ctx.executor().schedule(this::headTooSlow, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void headTooSlow() {
        headDeadline = null;
        if (!inExchange && ctx.channel().isActive()) {
            log.debug(
                    "{}: request head not whole in {}",
                    Addresses.format(client),
                    front.config().headerTimeout());
            closeAfter = true;
            inExchange = true; // nothing more is read or answered on this connection
            ctx.writeAndFlush(Pages.page(
                            ctx.alloc(), HttpResponseStatus.REQUEST_TIMEOUT, "The request took too long to arrive."))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void handle(HttpObject obj) {
        if (obj instanceof HttpRequest req) {
            if (headDeadline != null) {
                headDeadline.cancel(false);
                headDeadline = null;
            }
            start(req);
        } else if (obj instanceof HttpContent content && form != null) {
            formPart(content);
        } else if (obj instanceof HttpContent content) {
            if (!inExchange || requestDone) {
                content.release(); // the rest of a refused request's body
                return;
            }
            requestDone = content instanceof LastHttpContent;
            toTarget(content);
        } else {
            ReferenceCountUtil.release(obj);
        }
    }

    private void start(HttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            ReferenceCountUtil.release(req);
            Throwable cause = req.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpHeaderException
                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : cause instanceof TooLongHttpLineException
                            ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                            : cause instanceof TooLongFrameException
                                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                                    : HttpResponseStatus.BAD_REQUEST;
            answer(status, "portgate could not read this request: " + shortReason(cause));
            return;
        }
        if (!secure) {
            String answer = front.answers().answer(req.uri()).orElse(null);
            if (answer != null) {
                ReferenceCountUtil.release(req);
                reply(Pages.text(ctx.alloc(), answer));
                return;
            }
        }
        HostName host;
        try {
            host = HostName.fromHeader(req.headers().get(HttpHeaderNames.HOST));
        } catch (BadHost e) {
            ReferenceCountUtil.release(req);
            answer(HttpResponseStatus.BAD_REQUEST, "The request's Host header is not usable: " + e.getMessage());
            return;
        }
        if (serverName != null
                && !serverName.equals(host)
                && front.site(serverName).isPresent()) {
            ReferenceCountUtil.release(req);
            answer(
                    HttpResponseStatus.MISDIRECTED_REQUEST,
                    "This connection was opened for " + serverName + ", not " + host + ".");
            return;
        }
        SiteGroup group = front.site(host).orElse(null);
        // A connection stays with the member it reached while that one answers; a new one goes round the group.
        Site s = group == null
                ? null
                : group.contains(site) && target != null && target.isActive() ? site : group.pick();
        if (s == null) {
            ReferenceCountUtil.release(req);
            answer(HttpResponseStatus.NOT_FOUND, "No site is served under this name here.");
            return;
        }
        if (!secure && front.config().redirect()) {
            ReferenceCountUtil.release(req);
            reply(Pages.redirect(ctx.alloc(), front.httpsUrl(host, req.uri())));
            return;
        }
        Verdict verdict = front.policy()
                .admitRequest(s.forward(), client.getAddress(), s.active().activeCount());
        if (verdict instanceof Verdict.Refuse refuse) {
            ReferenceCountUtil.release(req);
            s.active().stats().refused(ForwardStats.Refusal.of(refuse.reason()));
            log.debug("forward \"{}\": refused {}: {}", s.forward().name(), Addresses.format(client), refuse.detail());
            answer(statusFor(refuse.reason()), "This site does not take requests from you now.");
            return;
        }
        String user = null;
        if (s.forward().limits().protection().access() == Protection.Access.LOGIN) {
            user = wall(req, host);
            if (user == null) {
                return; // answered by the wall
            }
        }
        inExchange = true;
        responseStarted = false;
        informational = false;
        switching = false;
        closeAfter = closeAfter || (!stream && !HttpUtil.isKeepAlive(req));
        int port = ((InetSocketAddress) connection(ctx.channel()).localAddress()).getPort();
        upgrade = ForwardedHeaders.toTarget(req.headers(), client, secure, host, port, user);
        requestDone = req instanceof LastHttpContent;
        head = req.method().equals(HttpMethod.HEAD);
        if (s == site && target != null && target.isActive()) {
            toTarget(req);
        } else {
            waiting.add(req); // first: a kept target connection is ready at once, inside dial
            dial(s, group);
        }
    }

    /**
     * The login wall: the signed-in user (the session cookie taken off the request), or null once the wall has
     * answered — its form, a sign-in being checked, or a sign-out.
     */
    private String wall(HttpRequest req, HostName host) {
        String path = new QueryStringDecoder(req.uri()).path();
        String token = SiteCookies.take(req.headers(), SiteLogins.COOKIE, path.startsWith("/.portgate/"));
        if (!secure) {
            ReferenceCountUtil.release(req);
            answer(HttpResponseStatus.FORBIDDEN, "This site signs in over https only.");
            return null;
        }
        if (path.equals(Pages.LOGIN_PATH) && req.method().equals(HttpMethod.POST)) {
            inExchange = true;
            requestDone = false;
            form = ctx.alloc().buffer(256);
            formHost = host;
            if (req instanceof HttpContent c) {
                formPart(c.retain());
            } else {
                ctx.read();
            }
            ReferenceCountUtil.release(req);
            return null;
        }
        if (path.equals(Pages.LOGOUT_PATH)) {
            ReferenceCountUtil.release(req);
            front.logins().signOut(token);
            reply(Pages.signedIn(ctx.alloc(), "/", SiteCookies.cleared(SiteLogins.COOKIE)));
            return null;
        }
        String user = front.logins().user(host, token).orElse(null);
        if (user == null) {
            ReferenceCountUtil.release(req);
            String back = path.equals(Pages.LOGIN_PATH) ? "/" : req.uri();
            reply(Pages.loginForm(ctx.alloc(), host.toString(), back, null));
        }
        return user;
    }

    /** A part of the sign-in form; at its end the name and password are checked off the loop. */
    private void formPart(HttpContent part) {
        boolean last = part instanceof LastHttpContent;
        if (form.readableBytes() + part.content().readableBytes() > MAX_FORM) {
            part.release();
            form.release();
            form = null;
            answer(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "The sign-in form is too large.");
            return;
        }
        form.writeBytes(part.content());
        part.release();
        if (!last) {
            ctx.read();
            return;
        }
        requestDone = true;
        QueryStringDecoder fields = new QueryStringDecoder(form.toString(StandardCharsets.UTF_8), false);
        form.release();
        form = null;
        String name = field(fields, "user");
        String password = field(fields, "password");
        String back = SiteCookies.localPath(field(fields, "return"));
        HostName host = formHost;
        front.logins()
                .signIn(host, name, password, client.getAddress().getHostAddress())
                .whenComplete((outcome, failure) -> ctx.executor().execute(() -> {
                    if (outcome instanceof SiteLogins.SignedIn in) {
                        reply(Pages.signedIn(ctx.alloc(), back, SiteCookies.session(SiteLogins.COOKIE, in.token())));
                    } else {
                        String why = outcome instanceof SiteLogins.Refused r
                                ? r.reason()
                                : "Signing in failed: " + (failure == null ? "?" : failure.getMessage());
                        reply(Pages.loginForm(ctx.alloc(), host.toString(), back, why));
                    }
                }));
    }

    private static String field(QueryStringDecoder fields, String name) {
        List<String> v = fields.parameters().get(name);
        return v == null || v.isEmpty() ? "" : v.get(0);
    }

    /** Dials {@code s}; if that fails and the group has another member, that one once. */
    private void dial(Site s, SiteGroup group) {
        if (target != null) {
            target.close();
        }
        site = s;
        target = null;
        targetReady = false;
        targetCloses = false;
        Channel in = ctx.channel();
        String where = Addresses.hostPort(s.targetHost(), s.targetPort());
        conn = s.active().openTcp(in, client, where);
        Channel kept = s.idle() == null ? null : s.idle().take(in.eventLoop());
        if (kept != null) {
            // A connection an earlier visitor left open: no dial, no handshake with the target.
            kept.pipeline().replace(IdleTargets.HANDLER, IdleTargets.HANDLER, new TargetResponses(this));
            reusedTarget = true;
            targetReady(kept, s);
            return;
        }
        reusedTarget = false;
        s.dialer().dial(in, s.targetHost(), s.targetPort()).addListener(f -> {
            if (!f.isSuccess()) {
                s.active().stats().refused(ForwardStats.Refusal.DIAL_FAILED);
                s.active().health().failed(f.cause());
                String reason = TargetHealth.reason(f.cause());
                log.warn(
                        "forward \"{}\": cannot reach {} for {}: {}",
                        s.forward().name(),
                        where,
                        Addresses.format(client),
                        reason);
                Site other = group == null ? null : group.after(s);
                if (other != null && in.isActive()) {
                    dial(other, null);
                    return;
                }
                releaseWaiting();
                answer(HttpResponseStatus.BAD_GATEWAY, "The site's server cannot be reached: " + reason + ".");
                return;
            }
            s.active().health().reached();
            Channel t = (Channel) f.getNow();
            if (!in.isActive() || site != s) {
                t.close();
                return;
            }
            // The handlers go in on the target's own loop (an SSH session's may differ from ours), and the waiting
            // request follows only once they are in: added from here, a write could pass a codec not yet added.
            t.eventLoop().execute(() -> {
                if (s.targetTls() != null) {
                    SslHandler ssl = s.targetTls().newHandler(t.alloc(), s.targetHost(), s.targetPort());
                    ssl.setHandshakeTimeoutMillis(10_000);
                    t.pipeline().addLast("tls", ssl);
                }
                t.pipeline().addLast("http", new HttpClientCodec(4096, MAX_TARGET_HEADER, 8192));
                t.pipeline().addLast(IdleTargets.HANDLER, new TargetResponses(this));
                onLoop(() -> targetReady(t, s));
            });
        });
    }

    /** The target's handlers are in: the request parts that waited go out. */
    private void targetReady(Channel t, Site s) {
        if (!ctx.channel().isActive() || site != s) {
            t.close();
            return;
        }
        target = t;
        targetReady = true;
        if (!t.isActive()) {
            targetClosed(t); // closed before its handlers were in: TargetResponses never saw it go
            return;
        }
        while (!waiting.isEmpty()) {
            toTarget(waiting.poll());
        }
        flushRequest();
    }

    /** A request head written alone (see {@link #writeThenFlush}) goes out at the end of the batch that wrote it. */
    private void flushRequest() {
        if (requestUnflushed) {
            requestUnflushed = false;
            Channel t = target;
            if (t != null) {
                t.flush();
            }
        }
    }

    /** Writes a request part to the target; the client is read again once it is written. */
    private void toTarget(HttpObject part) {
        if (!targetReady) {
            waiting.add(part);
            return;
        }
        if (part instanceof HttpContent c) {
            int n = c.content().readableBytes();
            site.active().stats().bytesIn(n);
            conn.addIn(n);
        }
        boolean requestHead = part instanceof HttpRequest;
        if (part instanceof HttpRequest req) {
            sentHead = req;
            sentBody = false;
        }
        if (part instanceof HttpContent c && c.content().isReadable()) {
            sentBody = true;
        }
        Channel t = target;
        writeThenFlush(t, part, requestHead && !(part instanceof LastHttpContent))
                .addListener(w -> onLoop(() -> {
                    if (!w.isSuccess()) {
                        log.debug(
                                "target {}: write failed: {}",
                                Addresses.format(t.remoteAddress()),
                                w.cause().toString());
                        t.close();
                        return;
                    }
                    if (requestHead) {
                        t.read();
                    }
                    if (inExchange && !requestDone && targetReady) {
                        ctx.read();
                    }
                }));
    }

    /**
     * Writes a message part. A head alone is flushed when the read that decoded it completes, after the parts decoded
     * with it: a head and a small body leave in one system call rather than two, and the flush still happens inside
     * the read, so the next read is asked for before the loop would stop reading the socket.
     */
    private ChannelFuture writeThenFlush(Channel c, Object part, boolean headOnly) {
        if (!headOnly) {
            return c.writeAndFlush(part);
        }
        if (c == ctx.channel()) {
            responseUnflushed = true;
        } else {
            requestUnflushed = true;
        }
        return c.write(part);
    }

    /** The target's read is complete: a response head written alone goes out now. */
    void targetReadComplete() {
        onLoop(() -> {
            if (responseUnflushed) {
                responseUnflushed = false;
                ctx.flush();
            }
        });
    }

    /** Runs on this exchange's loop: target events may come from an SSH session's loop. */
    private void onLoop(Runnable r) {
        if (ctx.executor().inEventLoop()) {
            r.run();
        } else {
            ctx.executor().execute(r);
        }
    }

    /**
     * A response part from {@code t}; written to the client, and the target read again once it is out. A target on
     * another loop (an SSH session's) hands its parts over to this one, in order.
     */
    void fromTarget(Channel t, Object msg) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> fromTarget(t, msg));
            return;
        }
        if (switched && t == target && msg instanceof ByteBuf bytes) {
            ctx.channel().writeAndFlush(bytes); // after the switch, before the relay took over this side
            return;
        }
        if (t != target) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf bytes) {
            if (switching) {
                afterSwitch.add(bytes);
            } else {
                bytes.release();
            }
            return;
        }
        if (!inExchange || !(msg instanceof HttpObject part)) {
            // A target that speaks when nothing was asked is not speaking HTTP.
            ReferenceCountUtil.release(msg);
            t.close();
            return;
        }
        Object out = part;
        if (part instanceof HttpResponse res) {
            int code = res.status().code();
            informational = code >= 100 && code < 200 && code != 101;
            switching = code == 101 && upgrade;
            boolean targetKeepsAlive = HttpUtil.isKeepAlive(res);
            ForwardedHeaders.toClient(res.headers());
            if (informational) {
                // One message: the decoder's empty end that follows it is dropped below.
                out = new DefaultFullHttpResponse(
                        res.protocolVersion(), res.status(), t.alloc().buffer(0));
                ((FullHttpResponse) out).headers().set(res.headers());
            } else if (!switching) {
                responseStarted = true;
                boolean bodyUntilClose = !head
                        && !HttpUtil.isContentLengthSet(res)
                        && !HttpUtil.isTransferEncodingChunked(res)
                        && code != 204
                        && code != 304;
                targetCloses = !targetKeepsAlive || bodyUntilClose;
                closeAfter = closeAfter || (bodyUntilClose && !stream);
                if (closeAfter && !stream) {
                    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
            } else {
                responseStarted = true;
            }
        } else if (part instanceof LastHttpContent last && informational) {
            last.release();
            t.read();
            return;
        }
        if (part instanceof HttpContent c) {
            int n = c.content().readableBytes();
            site.active().stats().bytesOut(n);
            conn.addOut(n);
        }
        boolean ends = part instanceof LastHttpContent;
        boolean switches = ends && switching;
        writeThenFlush(ctx.channel(), out, out instanceof HttpResponse && !ends).addListener(w -> {
            if (!w.isSuccess()) {
                t.close();
                return;
            }
            if (switches) {
                switchToRelay();
            } else if (ends) {
                exchangeDone();
            } else {
                t.read();
            }
        });
    }

    private void exchangeDone() {
        inExchange = false;
        if (targetCloses && target != null) {
            target.close();
            target = null;
        }
        if (stream) {
            return; // the stream ended with the response
        }
        if (closeAfter) {
            ctx.close();
            return;
        }
        if (target != null) {
            target.read(); // an idle target that closes is noticed at once
        }
        while (!backlog.isEmpty() && !(inExchange && requestDone)) {
            handle((HttpObject) backlog.poll());
        }
        flushRequest();
        if (!inExchange || !requestDone) {
            ctx.read();
        }
    }

    /** After a 101 answer the two connections carry the new protocol's bytes as they come. */
    private void switchToRelay() {
        switched = true;
        Channel in = ctx.channel();
        Channel t = target;
        t.pipeline().remove(TargetResponses.class);
        t.pipeline().remove(HttpClientCodec.class);
        in.pipeline().remove(HttpServerCodec.class);
        if (in.pipeline().get("idle") != null) {
            in.pipeline().remove("idle"); // the relay keeps the forward's own idle-timeout, if any
        }
        in.pipeline().remove(this);
        backlog.forEach(ReferenceCountUtil::release);
        backlog.clear();
        Relay.join(in, t, conn, site.active().stats(), site.forward().limits().idleTimeoutFor(Protocol.TCP));
        for (ByteBuf b : afterSwitch) {
            in.write(b);
        }
        afterSwitch.clear();
        in.flush();
    }

    /** The target connection went (TargetResponses saw it), on whichever loop it lives. */
    void targetGone(Channel t) {
        onLoop(() -> targetClosed(t));
    }

    private void targetClosed(Channel t) {
        if (t != target) {
            return;
        }
        target = null;
        targetReady = false;
        if (inExchange && !switching && !responseStarted && repeatable()) {
            log.debug("target {}: a kept connection closed under a request; sending it again", t.remoteAddress());
            waiting.add(sentHead);
            waiting.add(LastHttpContent.EMPTY_LAST_CONTENT);
            dial(site, null);
            return;
        }
        if (inExchange && !switching) {
            if (responseStarted) {
                ctx.close(); // the client sees the response cut short, as the target cut it
            } else {
                answer(HttpResponseStatus.BAD_GATEWAY, "The site's server closed the connection without an answer.");
            }
        }
    }

    /** The front end's own answer; it ends the connection (or the stream). */
    private void answer(HttpResponseStatus status, String text) {
        reply(Pages.page(ctx.alloc(), status, text));
    }

    private void reply(FullHttpResponse response) {
        inExchange = true;
        requestDone = true;
        closeAfter = true;
        releaseWaiting();
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private void releaseWaiting() {
        waiting.forEach(ReferenceCountUtil::release);
        waiting.clear();
    }

    private void closed() {
        if (form != null) {
            form.release();
            form = null;
        }
        releaseWaiting();
        backlog.forEach(ReferenceCountUtil::release);
        backlog.clear();
        afterSwitch.forEach(ByteBuf::release);
        afterSwitch.clear();
        Channel t = target;
        target = null;
        if (t != null && !(reusable(t) && site.idle().keep(t))) {
            t.close();
        }
    }

    /** A request that went whole, without a body, to a kept connection, and that may be sent twice. */
    private boolean repeatable() {
        if (!reusedTarget || !requestDone || sentBody || sentHead == null || site == null) {
            return false;
        }
        HttpMethod m = sentHead.method();
        return m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.OPTIONS);
    }

    /** Whether the visitor's target connection may serve the next visitor: idle, kept alive, plain HTTP, ours. */
    private boolean reusable(Channel t) {
        return site != null
                && site.idle() != null
                && targetReady
                && !inExchange
                && !switching
                && !switched
                && !targetCloses
                && t.isActive()
                && t.eventLoop() == ctx.channel().eventLoop();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The client has sent all it will: finish the exchange in progress, then close.
            closeAfter = true;
            if (!inExchange) {
                ctx.close();
            }
        } else if (evt instanceof IdleStateEvent) {
            if (!inExchange) {
                ctx.close(); // keep-alive between requests, or a request head that never finishes
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: {}", Addresses.format(client), cause.toString());
        ctx.close();
    }

    private static HttpResponseStatus statusFor(Verdict.Reason reason) {
        return switch (reason) {
            case RATE -> HttpResponseStatus.TOO_MANY_REQUESTS;
            case LIMIT -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            default -> HttpResponseStatus.FORBIDDEN;
        };
    }

    private static String shortReason(Throwable cause) {
        String m = cause == null ? null : cause.getMessage();
        return m == null ? "malformed" : m.length() > 120 ? m.substring(0, 120) + "…" : m;
    }

    /** The TCP connection: the channel itself, or an HTTP/2 stream's parent. */
    static Channel connection(Channel ch) {
        return ch instanceof Http2StreamChannel ? ch.parent() : ch;
    }
}
