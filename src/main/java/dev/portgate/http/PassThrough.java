package dev.portgate.http;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.HttpForward;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.net.Connection;
import dev.portgate.net.FirstHandler;
import dev.portgate.net.ForwardStats;
import dev.portgate.net.ProxyHeader;
import dev.portgate.net.Relay;
import dev.portgate.net.TargetHealth;
import dev.portgate.policy.Policy;
import dev.portgate.policy.Verdict;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS connection for a {@code tls: passthrough} site, chosen by its server name: the client's bytes, ClientHello
 * first, go to the target untouched, which does the TLS itself. The target can learn the client by PROXY protocol.
 */
final class PassThrough extends FirstHandler {

    private static final Logger log = LoggerFactory.getLogger(PassThrough.class);

    private final Site site;
    private final Policy policy;

    PassThrough(Site site, Policy policy) {
        this.site = site;
        this.policy = policy;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Channel in = ctx.channel();
        InetSocketAddress client = (InetSocketAddress) in.remoteAddress();
        HttpForward forward = site.forward();
        if (policy.admitRequest(forward, client.getAddress(), site.active().activeCount())
                instanceof Verdict.Refuse refuse) {
            site.active().stats().refused(ForwardStats.Refusal.of(refuse.reason()));
            log.debug("forward \"{}\": refused {}: {}", forward.name(), Addresses.format(client), refuse.detail());
            in.config().setOption(ChannelOption.SO_LINGER, 0);
            in.close();
            return;
        }
        String where = Addresses.hostPort(site.targetHost(), site.targetPort());
        Connection conn = site.active().openTcp(in, client, where);
        site.dialer().dial(in, site.targetHost(), site.targetPort()).addListener(f -> {
            if (!f.isSuccess()) {
                site.active().stats().refused(ForwardStats.Refusal.DIAL_FAILED);
                site.active().health().failed(f.cause());
                log.warn(
                        "forward \"{}\": cannot reach {} for {}: {}",
                        forward.name(),
                        where,
                        Addresses.format(client),
                        TargetHealth.reason(f.cause()));
                in.close();
                return;
            }
            site.active().health().reached();
            Channel out = (Channel) f.getNow();
            if (!in.isActive()) {
                out.close();
                return;
            }
            if (forward.proxyProtocol() != ProxyProtocol.NONE) {
                ProxyHeader.write(out, forward.proxyProtocol(), client, (InetSocketAddress) in.localAddress());
            }
            ctx.pipeline().remove(this);
            Relay.join(in, out, conn, site.active().stats(), forward.limits().idleTimeoutFor(Protocol.TCP));
            replayEarly(in, null);
        });
    }
}
