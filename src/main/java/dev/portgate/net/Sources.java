package dev.portgate.net;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/**
 * Who a connection is from. A connection another node carried here over a node link arrives as a stream whose own
 * peer is that node; the player's address travels with it and is set on the stream, so that the tunnel or SSH client
 * it goes on to is told the player, as when the player reached this node directly.
 */
public final class Sources {

    public static final AttributeKey<InetSocketAddress> ARRIVED_FROM = AttributeKey.valueOf("portgate.arrived-from");

    private Sources() {}

    public static InetSocketAddress of(Channel inbound) {
        InetSocketAddress carried = inbound.attr(ARRIVED_FROM).get();
        return carried != null ? carried : (InetSocketAddress) inbound.remoteAddress();
    }
}
