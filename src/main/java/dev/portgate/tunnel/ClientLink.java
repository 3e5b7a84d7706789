package dev.portgate.tunnel;

import dev.portgate.net.ActiveForward;
import dev.portgate.net.UdpFlow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tunnel client's connection at the server, on QUIC or the TCP fallback: its control stream (hello, listens,
 * pings), the streams back to it for TCP arrivals, and its UDP flows as datagrams. Everything here runs on the
 * connection's event loop but the rule changes, which {@link TunnelSessions} makes on its own thread.
 */
final class ClientLink {

    private static final Logger log = LoggerFactory.getLogger(ClientLink.class);
    /** A connection that has not said a valid hello by then is closed. */
    private static final long HELLO_SECONDS = 10;

    private final TunnelHub hub;
    private final Carrier carrier;
    private Channel control;
    private volatile TunnelServerConfig.Client client;
    private volatile String session;
    private final Instant since = Instant.now();
    private final Map<Integer, ServerFlow> flows = new HashMap<>();
    private int nextFlow = 1;
    /** An open question "are you there?" to the client, and the ping it was asked with. */
    private Promise<Boolean> probe;

    private long probeId;

    ClientLink(TunnelHub hub, Carrier carrier) {
        this.hub = hub;
        this.carrier = carrier;
    }

    /** Starts the clock on the hello (on the connection's loop, once it is up). */
    void start() {
        carrier.who(source());
        carrier.loop()
                .schedule(
                        () -> {
                            if (client == null && carrier.isActive()) {
                                log.info("tunnel: {} said no hello within {} s, closing", source(), HELLO_SECONDS);
                                carrier.close();
                            }
                        },
                        HELLO_SECONDS,
                        TimeUnit.SECONDS);
    }

    /** The client's control stream; false (the caller closes it) if the link has one already. */
    boolean controlOpened(Channel stream) {
        if (control != null) {
            return false;
        }
        control = stream;
        ControlStream.install(stream, new ControlStream.Reader() {
            @Override
            public void message(ControlMessage m) {
                onMessage(m);
            }

            @Override
            public void broken(String why) {
                log.info("tunnel: {} broke the protocol: {}", who(), why);
                carrier.close();
            }

            @Override
            public void closed() {
                carrier.close();
            }
        });
        return true;
    }

    /** A later stream the client opened: a connection it asks the server to make; false if it may not ask yet. */
    boolean openRequested(Channel stream) {
        if (client == null) {
            return false;
        }
        stream.pipeline()
                .addLast(new HeaderReader<>(OpenRequest::read, OpenRequest.MAX_BYTES, (s, request) -> hub.opens()
                        .open(this, s, request)));
        return true;
    }

    /** A stream a fallback client opened, by its path. */
    boolean h2Stream(String path, Channel stream) {
        H2Carrier h2 = (H2Carrier) carrier;
        if (path.equals(H2Carrier.CONTROL)) {
            return controlOpened(stream);
        }
        if (client == null) {
            return false;
        }
        if (path.equals(H2Carrier.OPEN)) {
            return openRequested(stream);
        }
        if (path.equals(H2Carrier.DATAGRAMS)) {
            Datagrams.installStream(stream, h2.maxDatagram(), this::datagram);
            h2.datagrams(stream);
            return true;
        }
        if (path.startsWith(H2Carrier.ARRIVAL)) {
            try {
                // Quiet until the relay starts: the arrival's header goes out first.
                stream.config().setAutoRead(false);
                return h2.dialed(Integer.parseInt(path.substring(H2Carrier.ARRIVAL.length())), stream);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    private void onMessage(ControlMessage m) {
        if (m instanceof ControlMessage.Hello h) {
            if (client != null) {
                return;
            }
            hub.sessions().run(() -> hub.hello(this, h));
        } else if (client == null) {
            log.info(
                    "tunnel: {} sent {} before its hello, closing",
                    source(),
                    m.getClass().getSimpleName());
            carrier.close();
        } else if (m instanceof ControlMessage.Listen l) {
            hub.sessions().listen(this, l);
        } else if (m instanceof ControlMessage.Serve v) {
            hub.sessions().serve(this, v);
        } else if (m instanceof ControlMessage.Unlisten u) {
            hub.sessions().unlisten(this, u.id());
        } else if (m instanceof ControlMessage.Ping p) {
            send(new ControlMessage.Pong(p.sent()));
        } else if (m instanceof ControlMessage.Pong p && probe != null && p.sent() == probeId) {
            probe.trySuccess(true);
        }
    }

    /** Whether the client answers a ping within {@code limit} (false if not, or if the link is gone). */
    Future<Boolean> alive(Duration limit) {
        Promise<Boolean> answer = carrier.loop().newPromise();
        carrier.loop().execute(() -> {
            if (!carrier.isActive() || control == null) {
                answer.trySuccess(false);
                return;
            }
            probe = answer;
            probeId = System.nanoTime();
            send(new ControlMessage.Ping(probeId));
            carrier.loop().schedule(() -> answer.trySuccess(false), limit.toMillis(), TimeUnit.MILLISECONDS);
        });
        return answer;
    }

    boolean isActive() {
        return carrier.isActive();
    }

    void welcome(TunnelServerConfig.Client c, String sessionId) {
        this.client = c;
        this.session = sessionId;
        carrier.who(who());
        send(new ControlMessage.Welcome(sessionId));
        carrier.channel().closeFuture().addListener(f -> hub.sessions().ended(this));
    }

    void refuse(String reason) {
        if (control != null) {
            ControlStream.send(control, new ControlMessage.Refused(reason))
                    .addListener(f -> carrier.loop().schedule(carrier::close, 200, TimeUnit.MILLISECONDS));
        } else {
            carrier.close();
        }
    }

    void send(ControlMessage m) {
        Channel c = control;
        if (c != null && c.isActive()) {
            ControlStream.send(c, m);
        }
    }

    // --- TCP: a stream per arrival.

    /** A new stream to the client for one TCP arrival, its header written, not reading yet. */
    Future<Channel> openStream(EventLoop on, Arrival arrival) {
        if (!carrier.isActive()) {
            return on.newFailedFuture(new IllegalStateException("the tunnel client " + clientName() + " is gone"));
        }
        Promise<Channel> promise = on.newPromise();
        carrier.openStream(on, this::send).addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
            }
            Channel stream = (Channel) f.getNow();
            ByteBuf header = stream.alloc().buffer(arrival.size());
            arrival.write(header);
            // Flushed now: with a protocol where the server speaks first, no client byte would carry it.
            stream.writeAndFlush(header, stream.voidPromise());
            promise.trySuccess(stream);
        });
        return promise;
    }

    // --- UDP: datagrams both ways, tagged with a flow id.

    ServerFlow openFlow(
            ActiveForward active, Channel frontend, Arrival arrival, Duration idle, Consumer<UdpFlow> onClose) {
        return openFlow(active, frontend.eventLoop(), ServerFlow.Replies.through(frontend), arrival, idle, onClose);
    }

    /** A flow whose answers go to {@code replies}; call on the link's loop. */
    ServerFlow openFlow(
            ActiveForward active,
            EventLoop loop,
            ServerFlow.Replies replies,
            Arrival arrival,
            Duration idle,
            Consumer<UdpFlow> onClose) {
        if (!carrier.isActive()) {
            return null;
        }
        int id = nextFlow++;
        ServerFlow flow = new ServerFlow(this, id, arrival, active, loop, replies, idle, onClose);
        flows.put(id, flow);
        flow.start();
        return flow;
    }

    void flowEnded(ServerFlow flow) {
        flows.remove(flow.id());
    }

    /** Writes one datagram to the client (taking it); false if it is too large for the link or the link is gone. */
    boolean sendDatagram(ByteBuf datagram) {
        return carrier.sendDatagram(datagram);
    }

    void flush() {
        carrier.flush();
    }

    ByteBufAllocator alloc() {
        return carrier.alloc();
    }

    /** A datagram from the client: an answer on one of its flows. */
    void datagram(ByteBuf datagram) {
        try {
            if (client == null) {
                return;
            }
            Datagrams.Parsed d;
            try {
                d = Datagrams.parse(datagram, false);
            } catch (WireException e) {
                log.debug("tunnel: {}: {}", who(), e.getMessage());
                return;
            }
            ServerFlow flow = flows.get(d.flow());
            if (flow != null) {
                flow.reply(d.payload());
            }
        } finally {
            datagram.release();
        }
    }

    /** Refreshes the round-trip time and byte counts from the transport's own statistics (on the loop). */
    void refreshStats() {
        carrier.refreshStats();
    }

    void closeFlows() {
        for (ServerFlow f : List.copyOf(flows.values())) {
            f.close();
        }
    }

    void close() {
        carrier.close();
    }

    EventLoop loop() {
        return carrier.loop();
    }

    /** Whether this is another node's link, not a tunnel client's. */
    boolean fromNode() {
        return hub.sessions().kind() == TunnelSessions.Kind.NODES;
    }

    String clientName() {
        TunnelServerConfig.Client c = client;
        return c == null ? "?" : c.name();
    }

    TunnelServerConfig.Client client() {
        return client;
    }

    String session() {
        return session;
    }

    String source() {
        return carrier.peer();
    }

    /** The client's address as the connections it asks for are listed with. */
    InetSocketAddress carrierPeer() {
        return carrier.peerAddress() instanceof InetSocketAddress a ? a : null;
    }

    String sourceHost() {
        return carrier.peerHost();
    }

    /** SHA-256 of the client's certificate, or null when it showed none. */
    String certificate() {
        return carrier.peerFingerprint();
    }

    String transport() {
        return carrier.label();
    }

    private String who() {
        return client == null ? source() : "client \"" + clientName() + "\" from " + source();
    }

    /** What the console shows of this client. */
    TunnelClientView view() {
        PathStats s = carrier.stats;
        return new TunnelClientView(
                clientName(), source(), carrier.label(), since, s.rttMicros, s.sentBytes, s.recvBytes, session);
    }
}
