package dev.portgate.http;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The protocols a TLS ClientHello offers by ALPN (RFC 7301), read before the handshake so that the CA's tls-alpn-01
 * check ({@code acme-tls/1}) can get the validation certificate. Anything malformed offers nothing: the TLS engine
 * then refuses the hello itself.
 */
final class ClientHelloAlpn {

    private static final int ALPN = 16;

    private ClientHelloAlpn() {}

    /** {@code hello}: the ClientHello body, from its version field on (as Netty's SNI handler passes it); not consumed. */
    static List<String> offered(ByteBuf hello) {
        int end = hello.writerIndex();
        int i = hello.readerIndex() + 2 + 32; // version, random
        if (i + 1 > end) {
            return List.of();
        }
        i += 1 + hello.getUnsignedByte(i); // session id
        if (i + 2 > end) {
            return List.of();
        }
        i += 2 + hello.getUnsignedShort(i); // cipher suites
        if (i + 1 > end) {
            return List.of();
        }
        i += 1 + hello.getUnsignedByte(i); // compression methods
        if (i + 2 > end) {
            return List.of();
        }
        int extensionsEnd = i + 2 + hello.getUnsignedShort(i);
        i += 2;
        if (extensionsEnd > end) {
            return List.of();
        }
        while (i + 4 <= extensionsEnd) {
            int type = hello.getUnsignedShort(i);
            int length = hello.getUnsignedShort(i + 2);
            i += 4;
            if (i + length > extensionsEnd) {
                return List.of();
            }
            if (type == ALPN) {
                return protocols(hello, i, i + length);
            }
            i += length;
        }
        return List.of();
    }

    private static List<String> protocols(ByteBuf hello, int start, int end) {
        if (start + 2 > end) {
            return List.of();
        }
        int listEnd = start + 2 + hello.getUnsignedShort(start);
        if (listEnd > end) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int j = start + 2; j < listEnd; ) {
            int n = hello.getUnsignedByte(j);
            j++;
            if (n == 0 || j + n > listEnd) {
                return List.of();
            }
            out.add(hello.toString(j, n, StandardCharsets.ISO_8859_1));
            j += n;
        }
        return List.copyOf(out);
    }
}
