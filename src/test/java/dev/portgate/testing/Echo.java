package dev.portgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Checks that a port on 127.0.0.1 leads to an echo server: what a user would try first. */
public final class Echo {

    private Echo() {}

    public static void assertEchoes(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII))
                    .isEqualTo("ping\n");
        }
    }

    /** True if a connection from {@code source} (a local address) gets an echo through 127.0.0.1:{@code port}. */
    public static boolean getsThrough(String source, int port) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII).equals("ping\n");
        } catch (IOException e) {
            return false;
        }
    }
}
