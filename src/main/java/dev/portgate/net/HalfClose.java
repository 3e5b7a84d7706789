package dev.portgate.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.AttributeKey;

/**
 * Saying "no more from me" on one direction of a channel while the other goes on: a socket or a QUIC stream does
 * it natively ({@link DuplexChannel}); a channel that cannot (an HTTP/2 stream) does it through the {@link Capable}
 * a handler of its pipeline registers under {@link #KEY}.
 */
public final class HalfClose {

    /** A channel's half-close, whichever way it is done. */
    public interface Capable {
        boolean isInputShutdown();

        boolean isOutputShutdown();

        ChannelFuture shutdownOutput();
    }

    public static final AttributeKey<Capable> KEY = AttributeKey.valueOf("portgate.half-close");

    private HalfClose() {}

    /** The channel's half-close, or null when it has none (closing is then the only way to end its output). */
    public static Capable of(Channel ch) {
        if (ch instanceof DuplexChannel d) {
            return new Capable() {
                @Override
                public boolean isInputShutdown() {
                    return d.isInputShutdown();
                }

                @Override
                public boolean isOutputShutdown() {
                    return d.isOutputShutdown();
                }

                @Override
                public ChannelFuture shutdownOutput() {
                    return d.shutdownOutput();
                }
            };
        }
        return ch.attr(KEY).get();
    }

    public static boolean inputShutdown(Channel ch) {
        Capable c = of(ch);
        return c != null && c.isInputShutdown();
    }
}
