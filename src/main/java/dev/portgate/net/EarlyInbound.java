package dev.portgate.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * What reaches an accepted connection before its relay exists — bytes a TLS handshake pulled in
 * behind its last record, or a client that sent its request and half-closed at once
 * ({@code echo hi | nc}) — kept by the first handler and handed to the relay once it runs, so
 * neither the bytes nor the end-of-stream are lost.
 */
final class EarlyInbound {

    private final List<Object> messages = new ArrayList<>();
    private boolean inputShutdown;

    void read(Object msg) {
        messages.add(msg);
    }

    /** True if the event was the client's half-close, now remembered. */
    boolean event(Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            return true;
        }
        return false;
    }

    boolean inputShutdown() {
        return inputShutdown;
    }

    /** Hands everything on from just behind {@code after} (the TLS handler), or from the pipeline's head. */
    void replay(Channel inbound, String after) {
        ChannelHandlerContext from = after == null ? null : inbound.pipeline().context(after);
        for (Object m : messages) {
            if (from != null) {
                from.fireChannelRead(m);
            } else {
                inbound.pipeline().fireChannelRead(m);
            }
        }
        if (!messages.isEmpty()) {
            if (from != null) {
                from.fireChannelReadComplete();
            } else {
                inbound.pipeline().fireChannelReadComplete();
            }
        }
        messages.clear();
        if (inputShutdown) {
            if (from != null) {
                from.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            } else {
                inbound.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
        }
    }

    void release() {
        messages.forEach(ReferenceCountUtil::release);
        messages.clear();
    }
}
