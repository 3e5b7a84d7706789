package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * One player's UDP flow at the client's end of a link, on the link's loop: to a target of its own socket
 * ({@link ClientFlow}), or on to a tunnel client of this node when the link is a node link ({@link NodeFlow}).
 */
sealed interface EndpointFlow permits ClientFlow, NodeFlow {

    int id();

    /** A player's datagram from the server (the payload is not taken). */
    void toTarget(ByteBuf payload, ByteBufAllocator alloc);

    void close();
}
