package dev.portgate.http;

import dev.portgate.forward.BadHost;
import dev.portgate.forward.HostName;
import dev.portgate.forward.SiteTls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;

/**
 * Reads the ClientHello's server name and picks what the connection becomes: a pass-through to a site that does its
 * own TLS, or TLS ended here with the site's certificate. A name no site holds, or none at all, gets the default
 * certificate and, inside, a 404.
 */
final class SniRouter extends AbstractSniHandler<SniRouter.Choice> {

    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    sealed interface Choice {}

    record Terminate(SslContext context, HostName name) implements Choice {}

    record Pass(Site site) implements Choice {}

    /** The CA's tls-alpn-01 check: the validation certificate, and the connection ends after the handshake. */
    record Prove(SslContext context) implements Choice {}

    /** A hello that asked for acme-tls/1 while no check for its name is open. */
    record Refuse() implements Choice {}

    private final Front front;
    private final SiteCertificates certs;
    private boolean acmeCheck;

    SniRouter(Front front, SiteCertificates certs) {
        super(HANDSHAKE_TIMEOUT_MILLIS);
        this.front = front;
        this.certs = certs;
    }

    /** Notes whether the hello asks for acme-tls/1 (the CA's check), then reads its server name as usual. */
    @Override
    protected Future<Choice> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) throws Exception {
        acmeCheck = ClientHelloAlpn.offered(clientHello).contains(TlsAlpn01Challenge.ACME_TLS_1_PROTOCOL);
        return super.lookup(ctx, clientHello);
    }

    @Override
    protected Future<Choice> lookup(ChannelHandlerContext ctx, String hostname) throws Exception {
        HostName name = null;
        if (hostname != null) {
            try {
                name = HostName.fromServerName(hostname);
            } catch (BadHost e) {
                name = null; // served like a client that sent no name
            }
        }
        if (acmeCheck) {
            ChallengeAnswers answers = front.answers();
            var here = answers.tlsAlpn(name);
            TlsAlpnShelf shared = answers.tlsAlpnShelf();
            if (here.isPresent() || shared == null || name == null) {
                return ctx.executor()
                        .newSucceededFuture(here.<Choice>map(Prove::new).orElse(new Refuse()));
            }
            // In a cluster the check may be another node's: it put it in the store.
            Promise<Choice> choice = ctx.executor().newPromise();
            Future<SslContext> found = shared.find(name, ctx.executor());
            found.addListener(f -> choice.trySuccess(
                    found.isSuccess() && found.getNow() != null ? new Prove(found.getNow()) : new Refuse()));
            return choice;
        }
        SiteGroup group = name == null ? null : front.site(name).orElse(null);
        Site site = group == null ? null : group.first();
        Choice choice;
        if (site != null && site.forward().tls() == SiteTls.PASSTHROUGH) {
            choice = new Pass(group.pick());
        } else {
            SslContext context = site == null
                    ? certs.fallback()
                    : certs.contextFor(site.forward().host());
            choice = new Terminate(context, name);
        }
        return ctx.executor().newSucceededFuture(choice);
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<Choice> future) {
        if (!future.isSuccess()) {
            ctx.close();
            return;
        }
        if (future.getNow() instanceof Prove prove) {
            SslHandler ssl = prove.context().newHandler(ctx.alloc());
            ssl.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
            ctx.pipeline().addAfter(ctx.name(), "proved", new CloseAfterHandshake());
            ctx.pipeline().replace(this, "tls", ssl);
            ctx.channel().read();
        } else if (future.getNow() instanceof Refuse) {
            ctx.close();
        } else if (future.getNow() instanceof Pass pass) {
            ctx.pipeline().replace(this, "passthrough", new PassThrough(pass.site(), front.policy()));
        } else if (future.getNow() instanceof Terminate t) {
            SslHandler ssl = t.context().newHandler(ctx.alloc());
            ssl.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
            ctx.pipeline().addAfter(ctx.name(), "alpn", new ProtocolChoice(front, t.name()));
            ctx.pipeline().replace(this, "tls", ssl);
            ctx.channel().read();
        }
    }

    /** The CA needs the handshake only: once it is done (or failed) the connection ends. */
    private static final class CloseAfterHandshake extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
