package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The header of a stream the tunnel client opens for a {@code kind: local} (or {@code dynamic}) forward through the
 * tunnel: where the server should connect, checked there against the client's {@code permit-open}. Binary: the
 * host's length (u8, 1–255), the host (UTF-8), the port (u16).
 */
public record OpenRequest(String host, int port) {

    public static final int MAX_BYTES = 1 + 255 + 2;

    public OpenRequest {
        if (host.isEmpty() || host.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("a host of 1 to 255 bytes, not \"" + host + "\"");
        }
    }

    public void write(ByteBuf out) {
        byte[] h = host.getBytes(StandardCharsets.UTF_8);
        out.writeByte(h.length).writeBytes(h).writeShort(port);
    }

    public int size() {
        return 1 + host.getBytes(StandardCharsets.UTF_8).length + 2;
    }

    /** Null when {@code in} does not hold a whole request yet; the reader index moves only past a whole one. */
    public static OpenRequest read(ByteBuf in) {
        if (in.readableBytes() < 1) {
            return null;
        }
        int length = in.getUnsignedByte(in.readerIndex());
        if (length == 0) {
            throw new WireException("an open request names an empty host");
        }
        if (in.readableBytes() < 1 + length + 2) {
            return null;
        }
        for (int i = 1; i <= length; i++) {
            int b = in.getUnsignedByte(in.readerIndex() + i);
            // A host name or an address literal: printable ASCII (a name in another script travels as punycode).
            if (b < 0x21 || b > 0x7e) {
                throw new WireException("an open request names a host with spaces, control characters or non-ASCII");
            }
        }
        in.skipBytes(1);
        String host = in.readCharSequence(length, StandardCharsets.US_ASCII).toString();
        int port = in.readUnsignedShort();
        if (port == 0) {
            throw new WireException("an open request names port 0");
        }
        return new OpenRequest(host, port);
    }
}
