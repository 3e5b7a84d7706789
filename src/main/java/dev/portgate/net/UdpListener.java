package dev.portgate.net;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Forward;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.Protocol;
import dev.portgate.policy.Policy;
import dev.portgate.policy.Verdict;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives datagrams on one address and port and keeps a NAT table: a session per client
 * address, each with its own upstream socket, so replies find their way back to the right client.
 * The table is touched only on this listener's event loop.
 */
public final class UdpListener implements Listener {

    private static final Logger log = LoggerFactory.getLogger(UdpListener.class);

    /** Large enough for any UDP payload; buffers go back to the pool as soon as they are sent. */
    static final int MAX_DATAGRAM = 65536;

    private final Transport transport;
    private final ActiveForward active;
    private final Policy policy;
    private final InetSocketAddress address;
    private final int listenPort;
    private final Map<InetSocketAddress, UdpFlow> sessions = new HashMap<>();
    private final List<UdpFlow> toFlush = new ArrayList<>();
    /**
     * Clients whose session ended because the target answered "port unreachable", and until when
     * their datagrams are dropped: without it, a client still sending at speed would open a new
     * session (a new socket) for every datagram queued behind the refusal.
     */
    private final Map<InetSocketAddress, Long> refusedClients = new HashMap<>();

    private static final int REFUSED_MEMORY = 4096;
    private static final long REFUSED_HOLD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final EventLoopGroup group;
    private final UdpFlow.Opener opener;
    private volatile Channel channel;

    public UdpListener(Transport transport, ActiveForward active, Policy policy, InetAddress address, int port) {
        this(transport, null, active, policy, address, port, null);
    }

    /**
     * A listener on {@code group} (null: the data plane's) whose flows {@code opener} makes (null: straight to the
     * port forward's target).
     */
    public UdpListener(
            Transport transport,
            EventLoopGroup group,
            ActiveForward active,
            Policy policy,
            InetAddress address,
            int port,
            UdpFlow.Opener opener) {
        this.transport = transport;
        this.group = group == null ? transport.group() : group;
        this.opener = opener;
        this.active = active;
        this.policy = policy;
        this.address = new InetSocketAddress(address, port);
        this.listenPort = port;
    }

    @Override
    public Future<?> open() {
        ChannelFuture bind = new Bootstrap()
                .group(group)
                .channel(transport.datagramChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                .handler(new Frontend())
                .bind(address);
        channel = bind.channel();
        return bind;
    }

    @Override
    public void close() {
        Channel ch = channel;
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
    }

    @Override
    public String describe() {
        return "udp " + Addresses.hostPort(NetUtil.toAddressString(address.getAddress()), address.getPort());
    }

    /** Client datagrams in: find or make the client's session and send through it. */
    private final class Frontend extends SimpleChannelInboundHandler<DatagramPacket> {

        Frontend() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress client = packet.sender();
            UdpFlow session = sessions.get(client);
            if (session == null) {
                session = open(ctx.channel(), client);
                if (session == null) {
                    packet.release();
                    return;
                }
            }
            if (!active.admitDatagram(true, packet.content().readableBytes())) {
                active.stats().packetDropped();
                packet.release();
                return;
            }
            active.stats().packetIn(packet.content().readableBytes());
            if (session.send(packet.content())) {
                toFlush.add(session);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            for (UdpFlow s : toFlush) {
                s.flush();
            }
            toFlush.clear();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug(
                    "forward \"{}\": udp listener {}: {}", active.name(), Addresses.format(address), cause.toString());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // The listener is gone (forward disabled or removed): end its sessions with it.
            for (UdpFlow s : List.copyOf(sessions.values())) {
                s.close();
            }
        }
    }

    private void ended(UdpFlow session) {
        sessions.remove(session.client());
        if (session.refusedByTarget()) {
            if (refusedClients.size() >= REFUSED_MEMORY) {
                long now = System.nanoTime();
                refusedClients.values().removeIf(until -> until - now < 0);
            }
            refusedClients.put(session.client(), System.nanoTime() + REFUSED_HOLD_NANOS);
        }
    }

    /** True while a client whose session the target refused is held off. */
    private boolean heldOff(InetSocketAddress client) {
        Long until = refusedClients.get(client);
        if (until == null) {
            return false;
        }
        if (until - System.nanoTime() > 0) {
            return true;
        }
        refusedClients.remove(client);
        return false;
    }

    private UdpFlow open(Channel frontend, InetSocketAddress client) {
        if (heldOff(client)) {
            active.stats().packetDropped();
            return null;
        }
        Forward forward = active.forward();
        if (opener == null && !(forward instanceof PortForward)) {
            return null;
        }
        if (policy.admit(forward, client.getAddress(), active.activeCount()) instanceof Verdict.Refuse refuse) {
            active.stats().refused(ForwardStats.Refusal.of(refuse.reason()));
            log.debug(
                    "forward \"{}\": refused udp from {}: {}",
                    forward.name(),
                    Addresses.format(client),
                    refuse.detail());
            return null;
        }
        if (opener != null) {
            UdpFlow flow = opener.open(active, frontend, client, listenPort, this::ended);
            if (flow != null) {
                sessions.put(client, flow);
            }
            return flow;
        }
        PortForward pf = (PortForward) forward;
        String host = pf.target().host();
        int port = pf.target().portFor(pf.listen().ports(), listenPort);
        UdpSession session = new UdpSession(
                transport, active, frontend, client, host, port, pf.limits().idleTimeoutFor(Protocol.UDP), this::ended);
        sessions.put(client, session);
        session.start();
        return session;
    }
}
