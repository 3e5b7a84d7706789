package dev.portgate.net;

import io.netty.channel.ChannelHandler;

/**
 * Makes the first handler of a connection accepted by a dynamic forward (the proxy handshake).
 * The proxy lives in its own package on top of this one; this is how the listeners reach it.
 */
public interface ProxyFrontends {

    ChannelHandler frontend(ActiveForward active);
}
