package dev.portgate.cli;

import dev.portgate.Gateway;
import dev.portgate.config.GatewayConfig;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.LocalForward;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.RemoteForward;
import dev.portgate.forward.TargetSpec;
import dev.portgate.kernel.KernelSettings;
import dev.portgate.rules.ChangeResult;
import dev.portgate.tunnel.TunnelEndpoint;
import dev.portgate.tunnel.TunnelEndpointConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code portgate tunnel}: remote (and local) forwards through a portgate tunnel server, in the foreground,
 * reconnecting by themselves — the {@code portgate ssh -R} of the tunnel, with UDP. {@code portgate tunnel token} makes a token.
 */
@Command(
        name = "tunnel",
        mixinStandardHelpOptions = true,
        subcommands = TunnelTokenCommand.class,
        description = {
            "Opens ports on a portgate tunnel server that lead back here (TCP and UDP); runs until interrupted.",
            "-R [tcp/|udp/|both/][bind:]port[-port]:host:hostport[-port] — bind defaults to every address of the server.",
            "-L [bind:]port:host:hostport — a port here, connected from the server (bind defaults to 127.0.0.1)."
        })
final class TunnelCommand implements Callable<Integer> {

    @Option(
            names = "-R",
            paramLabel = "[udp/][bind:]port:host:hostport",
            description = "remote forward: a port on the server, back to host:hostport here")
    List<String> remote = new ArrayList<>();

    @Option(
            names = "-L",
            paramLabel = "[bind:]port:host:hostport",
            description = "local forward: a port here, connected by the server to host:hostport (its permit-open)")
    List<String> local = new ArrayList<>();

    @Option(
            names = "--transport",
            paramLabel = "auto|quic|tcp",
            description = "QUIC, the TCP+TLS fallback, or QUIC falling back to TCP when UDP is blocked (default)")
    String transport = "auto";

    @Option(names = "--token-file", paramLabel = "FILE", description = "the token the server knows this client by")
    Path tokenFile;

    @Option(
            names = "--fingerprint",
            paramLabel = "sha256:HEX",
            description = "the server certificate's fingerprint (the server prints it at start)")
    String fingerprint;

    @Option(names = "--ca", paramLabel = "FILE", description = "trust a server certificate signed by this CA (PEM)")
    Path ca;

    @Option(
            names = "--proxy-protocol",
            paramLabel = "v1|v2",
            description = "tell the targets the players' addresses (UDP: v2)")
    String proxyProtocol;

    @Parameters(index = "0", arity = "0..1", paramLabel = "server[:port]", description = "default port 7443")
    String server;

    /** What OpenSSH exits with when the connection or authentication fails; the same here. */
    static final int FAILURE = 255;

    @Override
    public Integer call() throws Exception {
        if (server == null) {
            System.err.println("portgate tunnel: name the server, e.g. portgate tunnel -R 25565:127.0.0.1:25565"
                    + " --token-file F --fingerprint sha256:… vps.example.net");
            return ExitCodes.USAGE;
        }
        if (tokenFile == null) {
            System.err.println("portgate tunnel: --token-file is missing (portgate tunnel token makes one)");
            return ExitCodes.USAGE;
        }
        if (fingerprint == null && ca == null) {
            System.err.println(
                    "portgate tunnel: give --fingerprint (printed by the server) or --ca: an unknown server is"
                            + " never trusted");
            return ExitCodes.USAGE;
        }
        TunnelEndpointConfig endpoint;
        List<Forward> forwards = new ArrayList<>();
        try {
            String token = Files.readString(tokenFile).strip();
            TargetSpec to = TargetSpec.parse(
                    server.contains(":") && server.indexOf(':') == server.lastIndexOf(':') ? server : server + ":7443");
            endpoint = new TunnelEndpointConfig(
                    "tunnel",
                    to.host(),
                    to.ports().first(),
                    "portgate tunnel",
                    token,
                    fingerprint,
                    ca,
                    TunnelEndpointConfig.Mode.parse(transport),
                    Duration.ofSeconds(10));
            ProxyProtocol proxy = proxyProtocol == null ? ProxyProtocol.NONE : ProxyProtocol.parse(proxyProtocol);
            int n = 0;
            for (String spec : remote) {
                forwards.add(remote("R" + ++n, spec, proxy));
            }
            n = 0;
            for (String spec : local) {
                String[] p = SshCommand.split(spec, 4);
                forwards.add(new LocalForward(
                        "L" + ++n,
                        true,
                        spec,
                        Origin.config("portgate tunnel"),
                        ListenSpec.parse(SshCommand.bind(p[0]) + ":" + p[1]),
                        endpoint.name(),
                        TargetSpec.parse(p[2] + ":" + p[3]),
                        Limits.NONE));
            }
        } catch (IOException e) {
            System.err.println("portgate tunnel: cannot read " + tokenFile + ": " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (IllegalArgumentException e) {
            System.err.println("portgate tunnel: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (forwards.isEmpty()) {
            System.err.println("portgate tunnel: nothing to do — give -R or -L");
            return ExitCodes.USAGE;
        }
        Gateway gateway = Foreground.gateway("portgate-tunnel");
        ChangeResult r = gateway.apply(new GatewayConfig(
                forwards,
                null,
                List.of(),
                null,
                null,
                null,
                null,
                null,
                List.of(),
                null,
                KernelSettings.OFF,
                null,
                List.of(endpoint),
                null,
                null,
                null));
        if (r instanceof ChangeResult.Rejected rejected) {
            rejected.problems().forEach(p -> System.err.println("portgate tunnel: " + p));
            gateway.close();
            return ExitCodes.INVALID;
        }
        return Foreground.run(gateway, this::watch);
    }

    /** {@code [tcp/|udp/|both/][bind:]port[-port]:host:hostport[-port]} as a remote forward. */
    static RemoteForward remote(String name, String spec, ProxyProtocol proxy) {
        Set<Protocol> protocols = Set.of(Protocol.TCP);
        String rest = spec;
        int slash = spec.indexOf('/');
        if (slash > 0 && spec.substring(0, slash).matches("[A-Za-z+]+")) {
            protocols = Protocol.parseSet(spec.substring(0, slash));
            rest = spec.substring(slash + 1);
        }
        String[] p = SshCommand.split(rest, 4);
        String bind = p[0].isEmpty() || p[0].equals("*") ? "0.0.0.0" : p[0];
        if (bind.contains(":") && !bind.startsWith("[")) {
            bind = "[" + bind + "]";
        }
        ProxyProtocol header = protocols.contains(Protocol.UDP) && proxy == ProxyProtocol.V1 ? ProxyProtocol.V2 : proxy;
        return new RemoteForward(
                name,
                true,
                spec,
                Origin.config("portgate tunnel"),
                ListenSpec.parse(bind + ":" + p[1]),
                "tunnel",
                TargetSpec.parse(p[2] + ":" + p[3]),
                protocols,
                Limits.NONE,
                header);
    }

    /** Says what the tunnel does: connected, refused (exit 255), or lost and retried (and when). */
    private int watch(Gateway gateway, CountDownLatch stopped, Runnable shutdown) throws InterruptedException {
        String shown = "";
        while (!stopped.await(250, TimeUnit.MILLISECONDS)) {
            TunnelEndpoint.Status s = gateway.tunnelEndpoints().status().get(0);
            if ("auth".equals(s.failure()) || "trust".equals(s.failure())) {
                System.err.println("portgate tunnel: " + s.server() + ": " + s.lastError());
                shutdown.run();
                return FAILURE;
            }
            String now = s.state() + "|" + s.retryAt();
            if (now.equals(shown)) {
                continue;
            }
            shown = now;
            if (s.state().equals("connected")) {
                System.err.println("portgate tunnel: connected to " + s.server() + " over " + s.transport());
            } else if (s.state().equals("retrying") && s.retryAt() != null) {
                long in =
                        Math.max(0, Duration.between(Instant.now(), s.retryAt()).toSeconds());
                System.err.println(
                        "portgate tunnel: " + s.server() + ": " + s.lastError() + " — retrying in " + in + " s (at "
                                + LocalTime.ofInstant(s.retryAt(), ZoneId.systemDefault())
                                        .withNano(0) + ")");
            }
        }
        return ExitCodes.OK;
    }
}
