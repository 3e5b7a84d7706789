package dev.portgate.net;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;

/**
 * One way of reaching a target for an accepted connection. The returned channel is connected,
 * not yet reading, and lives on the inbound channel's event loop so the relay needs no locks.
 */
public interface Dialer {

    Future<Channel> dial(Channel inbound, String host, int port);
}
