package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Who arrived where, sent by the server at the start of each TCP stream and in each UDP datagram it passes to
 * the client: the client's listen request ({@code listen}), the public port hit ({@code port}) and the
 * player's real address. Binary, fixed layout: family (4 or 6), listen id (u32), port (u16), address, port (u16).
 */
public record Arrival(int listen, int port, InetSocketAddress from) {

    public static final int MAX_BYTES = 1 + 4 + 2 + 16 + 2;

    public int size() {
        return 1 + 4 + 2 + from.getAddress().getAddress().length + 2;
    }

    public void write(ByteBuf out) {
        byte[] a = from.getAddress().getAddress();
        out.writeByte(a.length == 4 ? 4 : 6);
        out.writeInt(listen);
        out.writeShort(port);
        out.writeBytes(a);
        out.writeShort(from.getPort());
    }

    /** Null when {@code in} does not hold a whole header yet; the reader index moves only past a whole one. */
    public static Arrival read(ByteBuf in) {
        if (in.readableBytes() < 1) {
            return null;
        }
        int family = in.getUnsignedByte(in.readerIndex());
        int length =
                switch (family) {
                    case 4 -> 4;
                    case 6 -> 16;
                    default -> throw new WireException(
                            "an arrival header has address family " + family + ", not 4 or 6");
                };
        if (in.readableBytes() < 1 + 4 + 2 + length + 2) {
            return null;
        }
        in.skipBytes(1);
        int listen = in.readInt();
        int port = in.readUnsignedShort();
        byte[] a = new byte[length];
        in.readBytes(a);
        int fromPort = in.readUnsignedShort();
        if (port == 0) {
            throw new WireException("an arrival header names port 0");
        }
        try {
            return new Arrival(listen, port, new InetSocketAddress(InetAddress.getByAddress(a), fromPort));
        } catch (UnknownHostException e) {
            throw new WireException("an arrival header has a bad address");
        }
    }
}
