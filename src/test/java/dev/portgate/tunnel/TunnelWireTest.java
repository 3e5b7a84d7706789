package dev.portgate.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The tunnel's three formats, each read back as written, and bad bytes refused with what is wrong. */
class TunnelWireTest {

    @Test
    void everyControlMessageReadsBackAsWritten() {
        for (ControlMessage m : List.of(
                new ControlMessage.Hello(1, "home", "tok"),
                new ControlMessage.Welcome("t1"),
                new ControlMessage.Refused("wrong token"),
                new ControlMessage.Listen(7, "udp", "0.0.0.0:27015-27020", List.of("10.0.0.0/8"), List.of()),
                new ControlMessage.Listening(7),
                new ControlMessage.ListenRefused(7, "no"),
                new ControlMessage.Unlisten(7),
                new ControlMessage.Ping(123L),
                new ControlMessage.Pong(123L),
                new ControlMessage.Dial(7))) {
            assertThat(ControlMessage.decode(ControlMessage.encode(m))).isEqualTo(m);
        }
    }

    @Test
    void badControlMessagesAreRefusedWithTheReason() {
        assertThatThrownBy(
                        () -> ControlMessage.decode("{\"type\":\"listen\",\"id\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(WireException.class)
                .hasMessageContaining("\"protocol\"");
        assertThatThrownBy(() -> ControlMessage.decode("[1]".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("JSON object");
        assertThatThrownBy(() -> ControlMessage.decode("{\"type\":\"shell\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("unknown control message type \"shell\"");
        assertThatThrownBy(() -> ControlMessage.decode("{".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not JSON");
    }

    @Test
    void anArrivalIsReadOnlyWhenWholeAndNamesThePlayer() {
        Arrival a = new Arrival(3, 27016, new InetSocketAddress("203.0.113.9", 40000));
        ByteBuf out = Unpooled.buffer();
        a.write(out);
        ByteBuf half = out.copy(0, 5);
        assertThat(Arrival.read(half)).isNull();
        assertThat(half.readerIndex()).isZero();
        assertThat(Arrival.read(out)).isEqualTo(a);
        ByteBuf v6 = Unpooled.buffer();
        Arrival six = new Arrival(1, 80, new InetSocketAddress("2001:db8::7", 1));
        six.write(v6);
        assertThat(Arrival.read(v6)).isEqualTo(six);
        assertThatThrownBy(() -> Arrival.read(Unpooled.wrappedBuffer(new byte[] {5, 0, 0, 0, 0, 0, 0})))
                .hasMessageContaining("address family 5");
    }

    @Test
    void datagramsCarryTheFlowBothWaysAndThePlayerTowardsTheClient() {
        Arrival a = new Arrival(2, 28000, new InetSocketAddress("203.0.113.9", 5000));
        ByteBuf toClient = Datagrams.toClient(
                ByteBufAllocator.DEFAULT, 42, a, Unpooled.copiedBuffer("hi", StandardCharsets.UTF_8));
        Datagrams.Parsed p = Datagrams.parse(toClient, true);
        assertThat(p.flow()).isEqualTo(42);
        assertThat(p.arrival()).isEqualTo(a);
        assertThat(p.payload().toString(StandardCharsets.UTF_8)).isEqualTo("hi");
        ByteBuf toServer =
                Datagrams.toServer(ByteBufAllocator.DEFAULT, 42, Unpooled.copiedBuffer("yo", StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Datagrams.parse(toServer.duplicate(), true)).hasMessageContaining("type 2");
        Datagrams.Parsed back = Datagrams.parse(toServer, false);
        assertThat(back.flow()).isEqualTo(42);
        assertThat(back.payload().toString(StandardCharsets.UTF_8)).isEqualTo("yo");
        toClient.release();
        toServer.release();
    }

    @Test
    void tokensAreKeptHashedAndComparedWhole() {
        String token = TunnelTokens.generate();
        String hash = TunnelTokens.hash(token);
        assertThat(hash).startsWith("sha256:").doesNotContain(token);
        assertThat(TunnelTokens.matches(token, hash)).isTrue();
        assertThat(TunnelTokens.matches(token + "x", hash)).isFalse();
        assertThat(TunnelTokens.stored(hash.toUpperCase().replace("SHA256:", "sha256:")))
                .isEqualTo(hash);
        assertThat(TunnelTokens.stored(token + "\n")).isEqualTo(hash);
        assertThatThrownBy(() -> TunnelTokens.stored("short")).hasMessageContaining("at least 16");
        assertThatThrownBy(() -> TunnelTokens.stored("sha256:abc")).hasMessageContaining("64 hex digits");
    }

    @Test
    void aPermitCoversARangeOnlyForItsProtocolsAndAddress() {
        TunnelServerConfig.Client c = new TunnelServerConfig.Client(
                "home",
                TunnelTokens.hash(TunnelTokens.generate()),
                List.of(
                        TunnelServerConfig.Permit.parse("0.0.0.0:27015-27020"),
                        TunnelServerConfig.Permit.parse("udp/10.0.0.1:5000")));
        assertThat(c.permits(ListenSpec.parse("0.0.0.0:27016-27018"), Set.of(Protocol.UDP, Protocol.TCP)))
                .isPresent();
        assertThat(c.permits(ListenSpec.parse("0.0.0.0:27019-27021"), Set.of(Protocol.TCP)))
                .isEmpty();
        assertThat(c.permits(ListenSpec.parse("10.0.0.1:5000"), Set.of(Protocol.UDP)))
                .isPresent();
        assertThat(c.permits(ListenSpec.parse("10.0.0.1:5000"), Set.of(Protocol.TCP)))
                .isEmpty();
        assertThat(c.permits(ListenSpec.parse("10.0.0.2:5000"), Set.of(Protocol.UDP)))
                .isEmpty();
    }

    @Test
    void openRequestsAndAnswersReadBackAsWrittenAndBadOnesAreNamed() {
        for (OpenRequest r : List.of(new OpenRequest("db.lan", 5432), new OpenRequest("2001:db8::1", 443))) {
            ByteBuf b = Unpooled.buffer();
            r.write(b);
            assertThat(b.readableBytes()).isEqualTo(r.size());
            assertThat(OpenRequest.read(b.slice(0, b.readableBytes() - 1)))
                    .as("cut short")
                    .isNull();
            assertThat(OpenRequest.read(b)).isEqualTo(r);
        }
        assertThatThrownBy(() -> OpenRequest.read(Unpooled.wrappedBuffer(new byte[] {0, 0, 80})))
                .hasMessageContaining("empty host");
        assertThatThrownBy(() -> OpenRequest.read(Unpooled.wrappedBuffer(new byte[] {1, 'a', 0, 0})))
                .hasMessageContaining("port 0");
        assertThatThrownBy(() -> OpenRequest.read(Unpooled.wrappedBuffer(new byte[] {2, 'a', ' ', 0, 80})))
                .hasMessageContaining("spaces, control characters or non-ASCII");

        String longReason = "x".repeat(300);
        for (OpenAnswer a : List.of(OpenAnswer.OPEN, OpenAnswer.refused("no"), OpenAnswer.refused(longReason))) {
            ByteBuf b = Unpooled.buffer();
            a.write(b);
            assertThat(OpenAnswer.read(b)).isEqualTo(a);
        }
        assertThat(OpenAnswer.refused(longReason).refusal()).hasSize(255);
        assertThatThrownBy(() -> OpenAnswer.read(Unpooled.wrappedBuffer(new byte[] {7})))
                .hasMessageContaining("status 7");
        assertThatThrownBy(() -> OpenAnswer.read(Unpooled.wrappedBuffer(new byte[] {1, 2, (byte) 0xff, (byte) 0xfe})))
                .hasMessageContaining("is not UTF-8");
        assertThatThrownBy(
                        () -> OpenRequest.read(Unpooled.wrappedBuffer(new byte[] {2, (byte) 0xc3, (byte) 0xa9, 0, 80})))
                .hasMessageContaining("non-ASCII");
    }
}
