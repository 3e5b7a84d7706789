package dev.portgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;

/** Any bytes as a ClientHello (a stranger's, before any handshake): a list of protocols or none, nothing thrown. */
class ClientHelloAlpnFuzzTest {

    @FuzzTest(maxDuration = "12s")
    void offered(byte[] bytes) {
        ByteBuf hello = Unpooled.wrappedBuffer(bytes);
        List<String> protocols = ClientHelloAlpn.offered(hello);
        assertThat(hello.readerIndex()).isZero();
        assertThat(protocols).allSatisfy(p -> assertThat(p.length()).isBetween(1, 255));
        int total = protocols.stream().mapToInt(p -> p.length() + 1).sum();
        assertThat(total).isLessThanOrEqualTo(bytes.length);
    }
}
