package dev.portgate.tunnel;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Text inside the tunnel's binary headers: strict UTF-8, so what is read writes back to the same bytes. */
final class WireText {

    private WireText() {}

    /** Reads {@code length} bytes of UTF-8; malformed bytes are a {@link WireException} naming {@code what}. */
    static String read(ByteBuf in, int length, String what) {
        ByteBuffer bytes = in.nioBuffer(in.readerIndex(), length);
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
            in.skipBytes(length);
            return s;
        } catch (CharacterCodingException e) {
            throw new WireException(what + " is not UTF-8");
        }
    }
}
