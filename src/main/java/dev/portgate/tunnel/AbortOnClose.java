package dev.portgate.tunnel;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.quic.QuicStreamChannel;

/**
 * Closing a QUIC stream whose peer has not finished sending is an abort, as closing a socket with unread data is a
 * TCP reset: STOP_SENDING for what the peer still sends, RESET_STREAM for what we had not finished.
 *
 * <p>Netty's close only sends a FIN. What the peer went on sending then stayed unread inside quiche, holding the
 * stream's and the whole connection's flow-control window, and the peer never learnt that its writes go nowhere: its
 * side stayed half-open with the player's bytes unread. A few streams whose target hung up while the player still sent
 * stalled every stream of the tunnel (iperf3 with 8 streams did it). The reset reaches the peer as a failed read even
 * where Netty does not surface STOP_SENDING (a stream waiting for window with nothing queued, netty/netty#17380).
 */
@ChannelHandler.Sharable
final class AbortOnClose extends ChannelOutboundHandlerAdapter {

    static final AbortOnClose INSTANCE = new AbortOnClose();

    /** The application error code of an aborted stream; 0 would read as "no error". */
    static final int ABORTED = 1;

    private AbortOnClose() {}

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (ctx.channel() instanceof QuicStreamChannel stream && stream.isActive() && !stream.isInputShutdown()) {
            if (stream.isOutputShutdown()) {
                stream.shutdownInput(ABORTED);
            } else {
                stream.shutdown(ABORTED);
            }
        }
        ctx.close(promise);
    }
}
