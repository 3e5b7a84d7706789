package dev.portgate.igd;

import dev.portgate.forward.Addresses;
import dev.portgate.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSDP on 239.255.255.250:1900, joined on the LAN interfaces only: answers M-SEARCH from LAN peers
 * (echoing the searched version when it is one we serve, IGD:1 included) and multicasts NOTIFY
 * ssdp:alive every half max-age and ssdp:byebye on stop, with BOOTID.UPNP.ORG.
 */
final class Ssdp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Ssdp.class);
    static final InetSocketAddress GROUP = new InetSocketAddress("239.255.255.250", 1900);
    static final int MAX_AGE = 120;
    private static final Pattern VERSIONED =
            Pattern.compile("(urn:schemas-upnp-org:(?:device|service):[A-Za-z0-9]+):(\\d{1,3})");

    private final IgdService igd;
    private final Transport transport;
    private final Descriptions descriptions;
    private final int httpPort;
    private final long bootId = System.currentTimeMillis() / 1000;
    private final List<Sender> senders = new ArrayList<>();
    private Channel receiver;
    private ScheduledFuture<?> alive;

    private record Sender(InetAddress lan, Channel channel) {}

    Ssdp(IgdService igd, Transport transport, Descriptions descriptions, int httpPort) {
        this.igd = igd;
        this.transport = transport;
        this.descriptions = descriptions;
        this.httpPort = httpPort;
    }

    /** Joins the group on each IPv4 LAN interface; where multicast is not possible, says so and goes on without SSDP. */
    void start(List<InetAddress> lan) {
        try {
            DatagramChannel ch = (DatagramChannel) new Bootstrap()
                    .group(transport.group())
                    .channel(transport.datagramChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .handler(new Receiver())
                    .bind(new InetSocketAddress(GROUP.getPort()))
                    .syncUninterruptibly()
                    .channel();
            receiver = ch;
            for (InetAddress a : lan) {
                if (!(a instanceof Inet4Address)) {
                    continue;
                }
                NetworkInterface nic = NetworkInterface.getByInetAddress(a);
                if (nic == null) {
                    log.warn("SSDP: {} is on no interface; not joining the multicast group there", a.getHostAddress());
                    continue;
                }
                ch.joinGroup(GROUP, nic).syncUninterruptibly();
                Channel sender = new Bootstrap()
                        .group(transport.group())
                        .channel(transport.datagramChannel())
                        .option(ChannelOption.IP_MULTICAST_IF, nic)
                        .option(ChannelOption.IP_MULTICAST_TTL, 2)
                        .handler(new Receiver())
                        .bind(new InetSocketAddress(a, 0))
                        .syncUninterruptibly()
                        .channel();
                senders.add(new Sender(a, sender));
            }
            notifyAll("ssdp:alive");
            alive = ch.eventLoop()
                    .scheduleAtFixedRate(() -> notifyAll("ssdp:alive"), MAX_AGE / 2, MAX_AGE / 2, TimeUnit.SECONDS);
            log.info(
                    "SSDP on {} via {}",
                    GROUP,
                    senders.stream().map(s -> s.lan().getHostAddress()).toList());
        } catch (RuntimeException | SocketException e) {
            log.warn(
                    "SSDP cannot run ({}); devices need the description URL {} to find the IGD",
                    e.getMessage(),
                    "http://<lan>:" + httpPort + Descriptions.ROOT_PATH);
        }
    }

    private void notifyAll(String nts) {
        for (Sender s : senders) {
            for (Map.Entry<String, String> t : targets().entrySet()) {
                String msg = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=" + MAX_AGE
                        + "\r\n"
                        + "LOCATION: " + location(s.lan()) + "\r\nNT: " + t.getKey() + "\r\nNTS: " + nts + "\r\n"
                        + "SERVER: " + UpnpServer.SERVER + "\r\nUSN: " + t.getValue() + "\r\n"
                        + "OPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n01-NLS: " + bootId + "\r\n"
                        + "BOOTID.UPNP.ORG: " + bootId + "\r\nCONFIGID.UPNP.ORG: 1\r\n\r\n";
                s.channel()
                        .writeAndFlush(
                                new DatagramPacket(Unpooled.copiedBuffer(msg, StandardCharsets.US_ASCII), GROUP));
            }
        }
    }

    /** Every notification type we announce, with its USN. */
    private Map<String, String> targets() {
        Map<String, String> t = new LinkedHashMap<>();
        String root = "uuid:" + descriptions.root;
        t.put("upnp:rootdevice", root + "::upnp:rootdevice");
        t.put(root, root);
        t.put(Descriptions.IGD, root + "::" + Descriptions.IGD);
        String wan = "uuid:" + descriptions.wan;
        t.put(wan, wan);
        t.put(Descriptions.WAN_DEVICE, wan + "::" + Descriptions.WAN_DEVICE);
        t.put(Descriptions.WAN_CIF, wan + "::" + Descriptions.WAN_CIF);
        String conn = "uuid:" + descriptions.connection;
        t.put(conn, conn);
        t.put(Descriptions.WAN_CONNECTION_DEVICE, conn + "::" + Descriptions.WAN_CONNECTION_DEVICE);
        t.put(Descriptions.WAN_IP, conn + "::" + Descriptions.WAN_IP);
        return t;
    }

    /** The (ST, USN) pairs answering a search target: ssdp:all gets all, a lower version is echoed. */
    Map<String, String> answers(String st) {
        Map<String, String> all = targets();
        if (st.equals("ssdp:all")) {
            return all;
        }
        if (all.containsKey(st)) {
            return Map.of(st, all.get(st));
        }
        Matcher m = VERSIONED.matcher(st);
        if (m.matches()) {
            for (Map.Entry<String, String> e : all.entrySet()) {
                Matcher ours = VERSIONED.matcher(e.getKey());
                if (ours.matches()
                        && ours.group(1).equals(m.group(1))
                        && Integer.parseInt(m.group(2)) >= 1
                        && Integer.parseInt(m.group(2)) <= Integer.parseInt(ours.group(2))) {
                    String usn = e.getValue().substring(0, e.getValue().indexOf("::") + 2) + st;
                    return Map.of(st, usn);
                }
            }
        }
        return Map.of();
    }

    private String location(InetAddress lan) {
        return "http://" + Addresses.hostPort(lan.getHostAddress(), httpPort) + Descriptions.ROOT_PATH;
    }

    @Override
    public void close() {
        if (alive != null) {
            alive.cancel(false);
        }
        notifyAll("ssdp:byebye");
        for (Sender s : senders) {
            s.channel().close().syncUninterruptibly();
        }
        senders.clear();
        if (receiver != null) {
            receiver.close().syncUninterruptibly();
        }
    }

    private final class Receiver extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetAddress peer = Addresses.unmap(packet.sender().getAddress());
            if (packet.content().readableBytes() > 4096) {
                igd.stats().count("ssdp", "malformed");
                return;
            }
            String text = packet.content().toString(StandardCharsets.US_ASCII);
            if (!text.startsWith("M-SEARCH ")) {
                return; // NOTIFYs of other devices, our own included
            }
            if (!igd.lanPeers().contains(peer)) {
                igd.stats().count("ssdp", "not-lan");
                return;
            }
            Map<String, String> headers = headers(text);
            String st = headers.get("st");
            if (!"\"ssdp:discover\"".equals(headers.get("man")) || st == null) {
                igd.stats().count("ssdp", "malformed");
                return;
            }
            igd.stats().count("ssdp", "searches");
            Sender via = senders.stream()
                    .filter(s -> sameNetwork(s.lan(), peer))
                    .findFirst()
                    .orElse(senders.isEmpty() ? null : senders.get(0));
            if (via == null) {
                return;
            }
            for (Map.Entry<String, String> a : answers(st).entrySet()) {
                String msg = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=" + MAX_AGE + "\r\nST: " + a.getKey()
                        + "\r\nUSN: " + a.getValue()
                        + "\r\nEXT:\r\nSERVER: " + UpnpServer.SERVER + "\r\nLOCATION: " + location(via.lan()) + "\r\n"
                        + "OPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n01-NLS: " + bootId + "\r\n"
                        + "BOOTID.UPNP.ORG: " + bootId + "\r\nCONFIGID.UPNP.ORG: 1\r\n\r\n";
                via.channel()
                        .writeAndFlush(new DatagramPacket(
                                Unpooled.copiedBuffer(msg, StandardCharsets.US_ASCII), packet.sender()));
            }
        }

        private boolean sameNetwork(InetAddress lan, InetAddress peer) {
            return LanPeers.of(List.of(lan)).contains(peer);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("SSDP: {}", cause.toString());
        }
    }

    static Map<String, String> headers(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n");
        for (int i = 1; i < lines.length && i < 64; i++) {
            int colon = lines[i].indexOf(':');
            String name = colon > 0 ? lines[i].substring(0, colon).strip() : "";
            // A field name is a token: a line whose "name" is empty or holds spaces or controls is no header.
            if (!name.isEmpty() && name.chars().allMatch(c -> c > ' ' && c < 127)) {
                out.put(
                        name.toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
            }
        }
        return out;
    }
}
