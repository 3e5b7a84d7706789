package dev.portgate.kernel;

import dev.portgate.forward.Addresses;
import java.io.File;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's connection tracking table, through the {@code conntrack} tool (Debian's conntrack
 * package): the flows of portgate's kernel forwards, found by their mark, listed and deleted. Run off
 * the event loops; a few processes a scan, never one per packet or connection.
 */
final class Conntrack {

    private static final Logger log = LoggerFactory.getLogger(Conntrack.class);
    private static final long TIMEOUT_SECONDS = 10;

    /** One tracked flow: the original direction (client to listen address) and the reply's source (the target). */
    record Flow(
            int id,
            String protocol,
            String state,
            InetAddress client,
            int clientPort,
            InetAddress listen,
            int listenPort,
            InetAddress target,
            int targetPort,
            boolean unreplied,
            boolean assured) {}

    private final String command;
    private volatile boolean warned;

    private Conntrack(String command) {
        this.command = command;
    }

    /** The tool on the PATH, or null. */
    static Conntrack find() {
        for (String dir : System.getenv()
                .getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
                .split(":")) {
            File f = new File(dir, "conntrack");
            if (f.canExecute()) {
                return new Conntrack(f.getPath());
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin")) {
            File f = new File(dir, "conntrack");
            if (f.canExecute()) {
                return new Conntrack(f.getPath());
            }
        }
        return null;
    }

    /** Every flow that carries a portgate mark, IPv4 and IPv6. */
    List<Flow> list() {
        List<Flow> out = new ArrayList<>();
        for (String family : List.of("ipv4", "ipv6")) {
            String text = run(List.of(command, "-L", "-f", family), true);
            if (text == null) {
                continue;
            }
            for (String line : text.split("\n")) {
                Flow f = parse(line);
                if (f != null && f.id() != 0) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    /** Deletes the flows of forward {@code id}; only those from {@code source} when it is not null. */
    void delete(int id, InetAddress source) {
        for (String family : List.of("ipv4", "ipv6")) {
            List<String> cmd = new ArrayList<>(
                    List.of(command, "-D", "-f", family, "-m", ((long) id << 16) + "/" + KernelTable.MARK_MASK));
            if (source != null) {
                if ((source instanceof Inet4Address) != family.equals("ipv4")) {
                    continue;
                }
                cmd.add("-s");
                cmd.add(source.getHostAddress());
            }
            run(cmd, false);
        }
    }

    /** Parses one line of {@code conntrack -L}; null when it is not a flow line. */
    static Flow parse(String line) {
        String[] t = line.strip().split("\\s+");
        if (t.length < 6) {
            return null;
        }
        String protocol = t[0];
        String state = "";
        List<String> src = new ArrayList<>();
        List<String> dst = new ArrayList<>();
        List<String> sport = new ArrayList<>();
        List<String> dport = new ArrayList<>();
        boolean unreplied = false;
        boolean assured = false;
        long mark = 0;
        for (int i = 3; i < t.length; i++) {
            String w = t[i];
            if (w.equals("[UNREPLIED]")) {
                unreplied = true;
            } else if (w.equals("[ASSURED]")) {
                assured = true;
            } else if (w.startsWith("src=")) {
                src.add(w.substring(4));
            } else if (w.startsWith("dst=")) {
                dst.add(w.substring(4));
            } else if (w.startsWith("sport=")) {
                sport.add(w.substring(6));
            } else if (w.startsWith("dport=")) {
                dport.add(w.substring(6));
            } else if (w.startsWith("mark=")) {
                mark = parseLong(w.substring(5));
            } else if (i == 3 && !w.contains("=") && Character.isUpperCase(w.charAt(0))) {
                state = w;
            }
        }
        if (src.size() < 2 || dst.isEmpty() || sport.size() < 2 || dport.isEmpty()) {
            return null;
        }
        InetAddress client = Addresses.literal(src.get(0));
        InetAddress listen = Addresses.literal(dst.get(0));
        InetAddress target = Addresses.literal(src.get(1));
        if (client == null || listen == null || target == null) {
            return null;
        }
        try {
            return new Flow(
                    (int) ((mark & KernelTable.MARK_MASK) >>> 16),
                    protocol,
                    state,
                    client,
                    Integer.parseInt(sport.get(0)),
                    listen,
                    Integer.parseInt(dport.get(0)),
                    target,
                    Integer.parseInt(sport.get(1)),
                    unreplied,
                    assured);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private String run(List<String> cmd, boolean wantOutput) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            p.getErrorStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return wantOutput ? new String(out, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            if (!warned) {
                warned = true;
                log.warn("conntrack: {}", e.getMessage());
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
