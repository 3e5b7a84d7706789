package dev.portgate.cli;

import dev.portgate.Gateway;
import dev.portgate.config.GatewayConfig;
import dev.portgate.forward.Destination;
import dev.portgate.forward.DynamicForward;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.LocalForward;
import dev.portgate.forward.Origin;
import dev.portgate.forward.ProxyKind;
import dev.portgate.forward.RemoteForward;
import dev.portgate.forward.TargetSpec;
import dev.portgate.rules.ChangeResult;
import dev.portgate.ssh.SshEndpoint;
import dev.portgate.ssh.SshEndpointConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code portgate ssh}: a foreground tunnel in OpenSSH's syntax that reconnects by itself (the job
 * people use autossh for). The same endpoint and forwards as the config file's, run without console.
 */
@Command(
        name = "ssh",
        mixinStandardHelpOptions = true,
        description = "Tunnels in OpenSSH's syntax (-L, -R, -D) that reconnect by themselves; runs until interrupted.")
final class SshCommand implements Callable<Integer> {

    @Option(names = "-L", paramLabel = "[bind:]port:host:hostport", description = "local forward")
    List<String> local = new ArrayList<>();

    @Option(names = "-R", paramLabel = "[bind:]port:host:hostport", description = "remote forward (port on the server)")
    List<String> remote = new ArrayList<>();

    @Option(names = "-D", paramLabel = "[bind:]port", description = "SOCKS5/HTTP proxy through the server")
    List<String> dynamic = new ArrayList<>();

    @Option(
            names = "-p",
            paramLabel = "PORT",
            defaultValue = "22",
            description = "SSH port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(
            names = "-i",
            paramLabel = "FILE",
            description = "private key (default: ~/.ssh/id_ed25519, id_ecdsa or id_rsa)")
    Path identity;

    @Option(
            names = "-o",
            paramLabel = "Key=Value",
            description = "UserKnownHostsFile=FILE and ServerAliveInterval=SECONDS are understood")
    List<String> options = new ArrayList<>();

    @Option(
            names = "-c",
            paramLabel = "CIPHER",
            split = ",",
            splitSynopsisLabel = ",",
            description = "ciphers to offer, in order, as OpenSSH's -c")
    List<String> ciphers;

    @Option(names = "-N", description = "accepted for OpenSSH compatibility: portgate never runs commands")
    boolean noCommand;

    /** What OpenSSH exits with when the connection or authentication fails. */
    static final int OPENSSH_FAILURE = 255;

    @Parameters(index = "0", paramLabel = "user@host")
    String destination;

    @Override
    public Integer call() throws Exception {
        int at = destination.lastIndexOf('@');
        String user = at < 0 ? System.getProperty("user.name") : destination.substring(0, at);
        String host = at < 0 ? destination : destination.substring(at + 1);
        Path home = Path.of(System.getProperty("user.home"), ".ssh");
        Path knownHosts = home.resolve("known_hosts");
        Duration keepalive = Duration.ofSeconds(15);
        for (String o : options) {
            String[] kv = o.split("=", 2);
            if (kv.length == 2 && kv[0].equalsIgnoreCase("UserKnownHostsFile")) {
                knownHosts = Path.of(kv[1]);
            } else if (kv.length == 2 && kv[0].equalsIgnoreCase("ServerAliveInterval")) {
                keepalive = Duration.ofSeconds(Long.parseLong(kv[1]));
            } else {
                System.err.println("portgate ssh: option " + o + " is ignored");
            }
        }
        if (identity == null) {
            for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
                if (Files.isReadable(home.resolve(name))) {
                    identity = home.resolve(name);
                    break;
                }
            }
        }
        if (identity == null || !Files.isReadable(identity)) {
            System.err.println("portgate ssh: no readable private key — give one with -i FILE");
            return ExitCodes.USAGE;
        }
        List<Forward> forwards = new ArrayList<>();
        Origin origin = Origin.config("portgate ssh");
        try {
            int n = 0;
            for (String spec : local) {
                String[] p = split(spec, 4);
                forwards.add(new LocalForward(
                        "L" + ++n,
                        true,
                        spec,
                        origin,
                        ListenSpec.parse(bind(p[0]) + ":" + p[1]),
                        "ssh",
                        TargetSpec.parse(p[2] + ":" + p[3]),
                        Limits.NONE));
            }
            n = 0;
            for (String spec : remote) {
                String[] p = split(spec, 4);
                forwards.add(new RemoteForward(
                        "R" + ++n,
                        true,
                        spec,
                        origin,
                        ListenSpec.parse(bind(p[0]) + ":" + p[1]),
                        "ssh",
                        TargetSpec.parse(p[2] + ":" + p[3])));
            }
            n = 0;
            for (String spec : dynamic) {
                String[] p = split(spec, 2);
                forwards.add(new DynamicForward(
                        "D" + ++n,
                        true,
                        spec,
                        origin,
                        ListenSpec.parse(bind(p[0]) + ":" + p[1]),
                        EnumSet.of(ProxyKind.SOCKS5, ProxyKind.SOCKS4, ProxyKind.HTTP),
                        List.of(),
                        List.of(Destination.parse("*:*")),
                        List.of(),
                        false,
                        Limits.NONE,
                        "ssh"));
            }
        } catch (IllegalArgumentException e) {
            System.err.println("portgate ssh: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (forwards.isEmpty()) {
            System.err.println("portgate ssh: nothing to do — give -L, -R or -D");
            return ExitCodes.USAGE;
        }
        List<String> offered = new ArrayList<>();
        for (String c : ciphers == null ? List.<String>of() : ciphers) {
            try {
                offered.add(SshEndpointConfig.checkCipher(c));
            } catch (IllegalArgumentException e) {
                System.err.println("portgate ssh: -c " + e.getMessage());
                return ExitCodes.USAGE;
            }
        }
        Gateway gateway = Foreground.gateway("portgate-ssh");
        ChangeResult r = gateway.apply(new GatewayConfig(
                forwards,
                null,
                List.of(new SshEndpointConfig("ssh", host, port, user, identity, null, knownHosts, keepalive, offered)),
                null,
                null));
        if (r instanceof ChangeResult.Rejected rejected) {
            rejected.problems().forEach(p -> System.err.println("portgate ssh: " + p));
            gateway.close();
            return ExitCodes.INVALID;
        }
        return Foreground.run(gateway, this::watch);
    }

    /**
     * Says what the connection does, as OpenSSH would: a refused or lost connection is retried (and says
     * when); a key the server refuses, or a host key that is not the known one, ends it with 255.
     */
    private int watch(Gateway gateway, CountDownLatch stopped, Runnable shutdown) throws InterruptedException {
        String shown = "";
        while (!stopped.await(250, TimeUnit.MILLISECONDS)) {
            SshEndpoint.Status s = gateway.endpoints().status().get(0);
            if (s.failure() != null && !s.failure().equals("network")) {
                System.err.println("portgate ssh: " + s.target() + ": " + s.lastError()
                        + (s.failure().equals("auth")
                                ? " (authentication refused — check the user and -i KEY)"
                                : " (the server's host key is not in " + "the known hosts file — check it, then add it"
                                        + " with: ssh-keyscan)"));
                shutdown.run();
                return OPENSSH_FAILURE;
            }
            String now = s.state() + "|" + s.retryAt();
            if (now.equals(shown)) {
                continue;
            }
            shown = now;
            if (s.state().equals("connected")) {
                System.err.println("portgate ssh: connected to " + s.target());
            } else if (s.state().equals("retrying") && s.retryAt() != null) {
                long in =
                        Math.max(0, Duration.between(Instant.now(), s.retryAt()).toSeconds());
                System.err.println(
                        "portgate ssh: " + s.target() + ": " + s.lastError() + " — retrying in " + in + " s (at "
                                + LocalTime.ofInstant(s.retryAt(), ZoneId.systemDefault())
                                        .withNano(0) + ")");
            }
        }
        return ExitCodes.OK;
    }

    /** Splits OpenSSH's colon syntax, keeping [IPv6] together; the bind part may be missing. */
    static String[] split(String spec, int parts) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean bracket = false;
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == '[') {
                bracket = true;
            } else if (c == ']') {
                bracket = false;
            }
            if (c == ':' && !bracket) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        if (out.size() == parts - 1) {
            out.add(0, "");
        }
        if (out.size() != parts) {
            throw new IllegalArgumentException(
                    "\"" + spec + "\" is not " + (parts == 4 ? "[bind:]port:host:hostport" : "[bind:]port"));
        }
        return out.toArray(String[]::new);
    }

    /** No bind (or "localhost") is the loopback, as in OpenSSH; "*" is every address. */
    static String bind(String b) {
        if (b.isEmpty() || b.equals("localhost")) {
            return "127.0.0.1";
        }
        if (b.equals("*")) {
            return "0.0.0.0";
        }
        return b.contains(":") && !b.startsWith("[") ? "[" + b + "]" : b;
    }
}
