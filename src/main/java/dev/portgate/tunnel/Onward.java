package dev.portgate.tunnel;

import dev.portgate.net.ActiveForward;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;

/**
 * Where the arrivals of a remote forward go from this end of a link when it is not the forward's own target: over
 * a node link, on to the tunnel or SSH client of this node that owns the public port.
 */
interface Onward {

    /** A channel to the client for one TCP arrival (the stream carries the player's address), not reading yet. */
    Future<Channel> dial(Channel stream, Arrival arrival);

    /** A flow for one UDP arrival, or null when the port does not carry UDP or its client is gone. */
    EndpointFlow flow(ServerLink link, int id, Arrival arrival, ActiveForward active);

    /** Who the arrivals go to, for the connection list: "tunnel client alice". */
    String describe();
}
