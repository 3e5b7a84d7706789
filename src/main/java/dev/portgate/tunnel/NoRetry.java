package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicTokenHandler;
import java.net.InetSocketAddress;

/**
 * No QUIC Retry: a handshake costs the client one round trip less. QUIC's own limit (a server sends at most three
 * times what an unvalidated address sent) still keeps the port from amplifying spoofed floods.
 */
final class NoRetry implements QuicTokenHandler {

    static final NoRetry INSTANCE = new NoRetry();

    private NoRetry() {}

    @Override
    public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
        return false;
    }

    @Override
    public int validateToken(ByteBuf token, InetSocketAddress address) {
        return 0;
    }

    @Override
    public int maxTokenLength() {
        return 0;
    }
}
