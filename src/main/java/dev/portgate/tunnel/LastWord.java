package dev.portgate.tunnel;

import dev.portgate.net.Drain;
import dev.portgate.net.HalfClose;
import io.netty.channel.Channel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends a stream after our last message (a refusal): a FIN after its bytes, then the peer's end is awaited. Closing at
 * once would abort the stream ({@link AbortOnClose}), and a reset may discard the message before it arrives.
 */
final class LastWord {

    /** How long a peer that heard us may take to end its side before the stream is closed anyway. */
    private static final long GRACE_SECONDS = 10;

    private LastWord() {}

    /** Call once the last message is written. */
    static void end(Channel stream) {
        HalfClose.Capable half = HalfClose.of(stream);
        if (half == null || !stream.isActive()) {
            stream.close();
            return;
        }
        stream.pipeline().addLast(Drain.INSTANCE);
        HeaderReader.release(stream);
        half.shutdownOutput();
        stream.config().setAutoRead(true);
        ScheduledFuture<?> grace = stream.eventLoop().schedule(() -> stream.close(), GRACE_SECONDS, TimeUnit.SECONDS);
        stream.closeFuture().addListener(f -> grace.cancel(false));
    }
}
