package dev.portgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Loopback helpers: free ports and whether ::1 works here. */
public final class Net {

    private Net() {}

    /** Ports handed out in this test JVM: the kernel may offer a closed one again at once, and two free ports
     * that turn out the same made a forward conflict with another in one CI run. */
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    public static int freeTcpPort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (GIVEN.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no TCP port on 127.0.0.1 that was not handed out already");
    }

    public static int freeUdpPort() {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A run of {@code n} consecutive TCP ports free on 127.0.0.1 right now. */
    public static int freeTcpRange(int n) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = freeTcpPort();
            if (first + n > 65535) {
                continue;
            }
            boolean ok = true;
            for (int p = first; p < first + n && ok; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    s.getLocalPort();
                } catch (IOException e) {
                    ok = false;
                }
            }
            if (ok) {
                return first;
            }
        }
        throw new IllegalStateException("no run of " + n + " free ports");
    }

    public static boolean ipv6Loopback() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(Inet6Address.getByName("::1"), 0));
            try (Socket c = new Socket(Inet6Address.getByName("::1"), s.getLocalPort())) {
                return c.isConnected();
            }
        } catch (IOException e) {
            return false;
        }
    }
}
