package dev.portgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/** The ALPN list of a real ClientHello (the JDK's), as the CA's tls-alpn-01 check sends it. */
class ClientHelloAlpnTest {

    /** The ClientHello body a JDK client sends offering {@code protocols}: what Netty's SNI handler passes on. */
    static byte[] clientHelloBody(String... protocols) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("app.test", 443);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setApplicationProtocols(protocols);
        engine.setSSLParameters(p);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] record = new byte[out.remaining()];
        out.get(record);
        // 5 bytes of record header, 4 of handshake header (type 1, length).
        return Arrays.copyOfRange(record, 9, record.length);
    }

    @Test
    void theProtocolsOfARealHelloAreReadInOrderAndNothingIsConsumed() throws Exception {
        ByteBuf hello = Unpooled.wrappedBuffer(clientHelloBody("acme-tls/1", "h2"));
        assertThat(ClientHelloAlpn.offered(hello)).containsExactly("acme-tls/1", "h2");
        assertThat(hello.readerIndex()).isZero();
        assertThat(ClientHelloAlpn.offered(Unpooled.wrappedBuffer(clientHelloBody())))
                .isEmpty();
    }

    @Test
    void aTruncatedHelloOffersNothing() throws Exception {
        byte[] body = clientHelloBody("acme-tls/1");
        for (int cut : List.of(0, 1, 34, 40, body.length / 2, body.length - 1)) {
            ByteBuf part = Unpooled.wrappedBuffer(Arrays.copyOf(body, cut));
            assertThat(ClientHelloAlpn.offered(part)).as("cut at %d", cut).doesNotContain("h2");
        }
    }
}
