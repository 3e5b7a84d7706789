package dev.portgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/** Small TCP servers that tests point forwards at; each handler runs on its own thread. */
public final class TcpPeers implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private TcpPeers(InetAddress address, int port, BiConsumer<Socket, TcpPeers> handler) throws IOException {
        server = new ServerSocket(port, 200, address);
        pool.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    open.add(s);
                    try {
                        pool.execute(() -> {
                            try {
                                handler.accept(s, this);
                            } finally {
                                open.remove(s);
                            }
                        });
                    } catch (RejectedExecutionException closing) {
                        s.close(); // accepted as the peer closed: nobody will serve it
                        return;
                    }
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    public static TcpPeers start(InetAddress address, int port, BiConsumer<Socket, TcpPeers> handler)
            throws IOException {
        return new TcpPeers(address, port, handler);
    }

    public static TcpPeers start(BiConsumer<Socket, TcpPeers> handler) throws IOException {
        return new TcpPeers(InetAddress.getLoopbackAddress(), 0, handler);
    }

    /** Echoes every byte back and closes when the client closes. */
    public static void echo(Socket s, TcpPeers self) {
        try (s;
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the client went away
        }
    }

    /** Says its own port, then holds the connection until the client closes. */
    public static void sayPort(Socket s, TcpPeers self) {
        try (s) {
            s.getOutputStream().write((s.getLocalPort() + "\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            s.getInputStream().transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the client went away
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public int accepted() {
        return accepted.get();
    }

    public int openConnections() {
        return open.size();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        pool.shutdownNow();
    }
}
