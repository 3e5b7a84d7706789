package dev.portgate.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * The real jar in a network namespace of the test's own — loopback and a dummy LAN interface
 * ({@value #LAN}, one end of a veth pair) with no route out — so a forward may listen on 0.0.0.0 as a user's would without
 * opening a port on this machine. The console is carried out to 127.0.0.1 here through a Unix socket
 * (namespaces share the file system), by two socat processes.
 */
public final class IsolatedConsole implements AutoCloseable {

    public static final String LAN = "10.93.1.0/24";
    public static final String GATEWAY_LAN = "10.93.1.1";

    private final Netns ns;
    private final Path dir;
    private final JarProcess gateway;
    private final List<Process> bridge = new ArrayList<>();
    private final String url;

    private IsolatedConsole(Netns ns, Path dir, JarProcess gateway, String url) {
        this.ns = ns;
        this.dir = dir;
        this.gateway = gateway;
        this.url = url;
    }

    /** Starts {@code portgate serve --data DIR/data --console 127.0.0.1:0 [--config CONFIG]} in a new namespace. */
    public static IsolatedConsole start(Path dir, String adminPassword, Path config) throws Exception {
        String socat = Peers.require("socat");
        Netns ns = Netns.withMulticastLoopback("pgcon");
        IsolatedConsole c = null;
        try {
            // Both ends of the pair stay in the namespace (this kernel has no dummy interfaces).
            ns.setup("ip", "link", "add", "lan0", "type", "veth", "peer", "name", "lan1");
            ns.setup("ip", "addr", "add", GATEWAY_LAN + "/24", "dev", "lan0");
            ns.setup("ip", "link", "set", "lan0", "up");
            ns.setup("ip", "link", "set", "lan1", "up");
            List<String> args = new ArrayList<>(
                    List.of("serve", "--data", dir.resolve("data").toString(), "--console", "127.0.0.1:0"));
            if (config != null) {
                args.addAll(List.of("--config", config.toString()));
            }
            JarProcess gateway = JarProcess.start(
                    dir, Map.of("PORTGATE_ADMIN_PASSWORD", adminPassword), ns.prefix(), args.toArray(String[]::new));
            gateway.awaitOutput("portgate started");
            String inner = Files.readString(dir.resolve("data/console-url")).strip();
            int innerPort = Integer.parseInt(inner.substring(inner.lastIndexOf(':') + 1));
            Path socket = dir.resolve("console.sock");
            int outer = Net.freeTcpPort();
            c = new IsolatedConsole(ns, dir, gateway, "http://127.0.0.1:" + outer);
            List<String> inside = new ArrayList<>(ns.prefix());
            inside.addAll(List.of(socat, "UNIX-LISTEN:" + socket + ",fork", "TCP:127.0.0.1:" + innerPort));
            c.bridge.add(Processes.start(inside));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(socket));
            c.bridge.add(Processes.start(List.of(
                    socat, "TCP-LISTEN:" + outer + ",bind=127.0.0.1,reuseaddr,fork", "UNIX-CONNECT:" + socket)));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> answers(outer));
            return c;
        } catch (Exception | Error e) {
            if (c != null) {
                c.close();
            } else {
                ns.close();
            }
            throw e;
        }
    }

    private static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The console as this machine's browser reaches it. */
    public String url() {
        return url;
    }

    public ApiCalls api() throws IOException {
        return new ApiCalls(url, Files.readString(dir.resolve("data/api-token")).strip());
    }

    public JarProcess gateway() {
        return gateway;
    }

    /** A command run inside the namespace, e.g. the CLI against the gateway. */
    public Processes.Result run(List<String> command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(ns.prefix());
        cmd.addAll(command);
        return Processes.run(Duration.ofSeconds(60), cmd);
    }

    @Override
    public void close() {
        bridge.forEach(Processes::stop);
        gateway.close();
        ns.close();
    }
}
