package dev.portgate.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * What a stranger can send on the tunnel before and after logging in: control messages, stream headers (an
 * arrival, an open request and its answer) and datagrams. Each is read, or refused with a {@link WireException} that says what is wrong — nothing else escapes.
 */
class TunnelWireFuzzTest {

    @FuzzTest(maxDuration = "12s")
    void wire(FuzzedDataProvider data) {
        int which = data.consumeInt(0, 5);
        byte[] bytes = data.consumeRemainingAsBytes();
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            switch (which) {
                case 0 -> {
                    ControlMessage m = ControlMessage.decode(bytes);
                    // What was read writes back to the same message.
                    assertThat(ControlMessage.decode(ControlMessage.encode(m))).isEqualTo(m);
                }
                case 1 -> {
                    int before = buf.readerIndex();
                    Arrival a = Arrival.read(buf);
                    if (a == null) {
                        assertThat(buf.readerIndex()).isEqualTo(before);
                    } else {
                        // Exactly the header is consumed (an IPv4-mapped IPv6 address reads as IPv4, from 16 bytes).
                        assertThat(buf.readerIndex() - before).isEqualTo(bytes[0] == 4 ? 13 : 25);
                        assertThat(a.port()).isBetween(1, 65535);
                        ByteBuf again = Unpooled.buffer();
                        a.write(again);
                        assertThat(Arrival.read(again)).isEqualTo(a);
                        again.release();
                    }
                }
                case 4 -> {
                    int before = buf.readerIndex();
                    OpenRequest r = OpenRequest.read(buf);
                    if (r == null) {
                        assertThat(buf.readerIndex()).isEqualTo(before);
                    } else {
                        assertThat(r.port()).isBetween(1, 65535);
                        ByteBuf again = Unpooled.buffer();
                        r.write(again);
                        assertThat(OpenRequest.read(again)).isEqualTo(r);
                        again.release();
                    }
                }
                case 5 -> {
                    int before = buf.readerIndex();
                    OpenAnswer a = OpenAnswer.read(buf);
                    if (a == null) {
                        assertThat(buf.readerIndex()).isEqualTo(before);
                    } else {
                        ByteBuf again = Unpooled.buffer();
                        a.write(again);
                        assertThat(OpenAnswer.read(again)).isEqualTo(a);
                        again.release();
                    }
                }
                default -> {
                    Datagrams.Parsed d = Datagrams.parse(buf, which == 2);
                    assertThat(d.payload().readableBytes()).isLessThanOrEqualTo(bytes.length);
                    assertThat(d.arrival() != null).isEqualTo(which == 2);
                }
            }
        } catch (WireException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        } finally {
            buf.release();
        }
    }
}
