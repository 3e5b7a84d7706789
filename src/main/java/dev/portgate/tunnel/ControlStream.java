package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;

/** A control stream's framing: each message a JSON object after a two-byte length. */
final class ControlStream {

    /** What a control stream's owner does with its messages. */
    interface Reader {
        void message(ControlMessage m);

        /** The peer broke the protocol: the message names how. */
        void broken(String why);

        void closed();
    }

    private ControlStream() {}

    static void install(Channel stream, Reader reader) {
        stream.pipeline()
                .addLast(new LengthFieldBasedFrameDecoder(ControlMessage.MAX_BYTES, 0, 2, 0, 2))
                .addLast(new LengthFieldPrepender(2))
                .addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                        ControlMessage m;
                        try {
                            m = ControlMessage.decode(ByteBufUtil.getBytes(frame));
                        } catch (WireException e) {
                            reader.broken(e.getMessage());
                            return;
                        }
                        reader.message(m);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        reader.broken(cause.getMessage() == null ? cause.toString() : cause.getMessage());
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        reader.closed();
                    }
                });
    }

    static ChannelFuture send(Channel stream, ControlMessage m) {
        return stream.writeAndFlush(Unpooled.wrappedBuffer(ControlMessage.encode(m)));
    }
}
