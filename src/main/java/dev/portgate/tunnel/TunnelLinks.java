package dev.portgate.tunnel;

import dev.portgate.forward.Protocol;
import dev.portgate.forward.SiteSession;
import dev.portgate.forward.TunnelSessionForward;
import dev.portgate.net.Dialer;
import dev.portgate.net.Sources;
import dev.portgate.net.UdpFlow;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The tunnel server's connected clients by session id, and the way back to them for their public ports. */
public final class TunnelLinks {

    private final AtomicLong ids = new AtomicLong();
    private final Map<String, ClientLink> links = new ConcurrentHashMap<>();

    String add(ClientLink link) {
        String id = "t" + ids.incrementAndGet();
        links.put(id, link);
        return id;
    }

    void remove(String id) {
        links.remove(id);
    }

    ClientLink get(String id) {
        return id == null ? null : links.get(id);
    }

    /** Whether session {@code id} is another node's link: its ports are that node's clients', not to pass on. */
    boolean fromNode(String id) {
        ClientLink link = get(id);
        return link != null && link.fromNode();
    }

    List<ClientLink> all() {
        return List.copyOf(links.values());
    }

    /** The loop of the client's connection: its public ports accept there, so one thread carries each flow. */
    EventLoopGroup loopOf(String session) {
        ClientLink link = links.get(session);
        return link == null ? null : link.loop();
    }

    Dialer back(String forward, SiteSession.Tunnel session) {
        return (inbound, host, port) -> {
            ClientLink link = links.get(session.id());
            if (link == null) {
                return inbound.eventLoop()
                        .newFailedFuture(new IllegalStateException("the tunnel client of \"" + forward + "\" is gone"));
            }
            return link.openStream(inbound.eventLoop(), new Arrival(session.request(), port, Sources.of(inbound)));
        };
    }

    UdpFlow.Opener backUdp(TunnelSessionForward f) {
        return (active, frontend, client, listenPort, onClose) -> {
            ClientLink link = links.get(f.session());
            if (link == null) {
                return null;
            }
            return link.openFlow(
                    active,
                    frontend,
                    new Arrival(f.request(), listenPort, client),
                    f.limits().idleTimeoutFor(Protocol.UDP),
                    onClose);
        };
    }
}
