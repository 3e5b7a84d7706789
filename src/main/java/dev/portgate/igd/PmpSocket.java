package dev.portgate.igd;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * A UDP exchange with the router's port 5351: send, and resend at 250 ms, 500 ms, 1 s until an
 * answer that {@code accepts} arrives (RFC 6886 §3.1's schedule, cut short so a dead router costs
 * under two seconds).
 */
final class PmpSocket implements AutoCloseable {

    private static final int[] WAITS_MS = {250, 500, 1000};

    private final DatagramSocket socket;
    private final InetSocketAddress router;

    PmpSocket(InetAddress gateway, int port) throws IOException {
        this.router = new InetSocketAddress(gateway, port);
        this.socket = new DatagramSocket();
        socket.connect(router);
    }

    InetAddress localAddress() {
        return socket.getLocalAddress();
    }

    synchronized byte[] exchange(byte[] request, Predicate<byte[]> accepts) throws IOException {
        byte[] buffer = new byte[1100];
        for (int wait : WAITS_MS) {
            socket.send(new DatagramPacket(request, request.length));
            long deadline = System.nanoTime() + wait * 1_000_000L;
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) left);
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                } catch (PortUnreachableException e) {
                    throw new IOException("nothing answers on " + router + " (port unreachable)");
                }
                byte[] answer = Arrays.copyOf(p.getData(), p.getLength());
                if (accepts.test(answer)) {
                    return answer;
                }
            }
        }
        throw new IOException(
                "no answer from " + router.getAddress().getHostAddress() + ":" + router.getPort() + " within 1.75 s");
    }

    @Override
    public void close() {
        socket.close();
    }
}
