package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The server's answer to an {@link OpenRequest}, the first bytes back on the stream: {@code 0} and the target's
 * bytes follow; or {@code 1}, the reason's length (u8) and the reason (UTF-8), and the stream ends.
 */
public record OpenAnswer(String refusal) {

    public static final int MAX_BYTES = 1 + 1 + 255;
    static final OpenAnswer OPEN = new OpenAnswer(null);

    public boolean open() {
        return refusal == null;
    }

    static OpenAnswer refused(String reason) {
        String cut = reason;
        while (cut.getBytes(StandardCharsets.UTF_8).length > 255) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return new OpenAnswer(cut);
    }

    public void write(ByteBuf out) {
        if (open()) {
            out.writeByte(0);
            return;
        }
        byte[] r = refusal.getBytes(StandardCharsets.UTF_8);
        out.writeByte(1).writeByte(r.length).writeBytes(r);
    }

    /** Null when {@code in} does not hold a whole answer yet; the reader index moves only past a whole one. */
    public static OpenAnswer read(ByteBuf in) {
        if (in.readableBytes() < 1) {
            return null;
        }
        int status = in.getUnsignedByte(in.readerIndex());
        if (status == 0) {
            in.skipBytes(1);
            return OPEN;
        }
        if (status != 1) {
            throw new WireException("an open answer has status " + status + ", not 0 or 1");
        }
        if (in.readableBytes() < 2 || in.readableBytes() < 2 + in.getUnsignedByte(in.readerIndex() + 1)) {
            return null;
        }
        in.skipBytes(1);
        int length = in.readUnsignedByte();
        return new OpenAnswer(WireText.read(in, length, "an open answer's reason"));
    }
}
