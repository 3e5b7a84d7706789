package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.util.function.Consumer;

/**
 * The layout of UDP carried through the tunnel, one QUIC DATAGRAM frame per UDP datagram. Towards the client a
 * datagram starts with {@code 1}, the flow id and the {@link Arrival} (so the first datagram of a flow is enough
 * to start it, whatever was lost before); towards the server, with {@code 2} and the flow id only.
 */
public final class Datagrams {

    static final int TO_CLIENT = 1;
    static final int TO_SERVER = 2;

    private Datagrams() {}

    /** A parsed datagram; {@code arrival} is null for one towards the server. */
    public record Parsed(int flow, Arrival arrival, ByteBuf payload) {}

    static ByteBuf toClient(ByteBufAllocator alloc, int flow, Arrival arrival, ByteBuf payload) {
        ByteBuf out = alloc.directBuffer(1 + 4 + arrival.size() + payload.readableBytes());
        out.writeByte(TO_CLIENT).writeInt(flow);
        arrival.write(out);
        out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        return out;
    }

    static ByteBuf toServer(ByteBufAllocator alloc, int flow, ByteBuf payload) {
        ByteBuf out = alloc.directBuffer(1 + 4 + payload.readableBytes());
        out.writeByte(TO_SERVER).writeInt(flow);
        out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        return out;
    }

    /**
     * Makes a stream carry datagrams, each after a four-byte length: the TCP fallback's way, reliable and in order.
     * Each one read goes to {@code owner}, who releases it.
     */
    static void installStream(Channel stream, int maxBytes, Consumer<ByteBuf> owner) {
        stream.pipeline()
                .addLast(new LengthFieldBasedFrameDecoder(maxBytes, 0, 4, 0, 4))
                .addLast(new LengthFieldPrepender(4))
                .addLast(new DatagramIn(owner));
    }

    /** Reads the header off {@code in}; the payload is a slice of it (not retained). */
    public static Parsed parse(ByteBuf in, boolean atClient) {
        if (in.readableBytes() < 5) {
            throw new WireException("a tunnel datagram of " + in.readableBytes() + " bytes is too short");
        }
        int type = in.readUnsignedByte();
        int expected = atClient ? TO_CLIENT : TO_SERVER;
        if (type != expected) {
            throw new WireException("a tunnel datagram of type " + type + " where " + expected + " belongs");
        }
        int flow = in.readInt();
        Arrival arrival = null;
        if (atClient) {
            arrival = Arrival.read(in);
            if (arrival == null) {
                throw new WireException("a tunnel datagram's arrival header is cut short");
            }
        }
        return new Parsed(flow, arrival, in.slice());
    }
}
