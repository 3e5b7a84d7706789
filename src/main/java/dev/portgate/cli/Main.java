package dev.portgate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code portgate} command. */
@Command(
        name = "portgate",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description =
                "A port-forwarding gateway: static TCP/UDP forwards in the kernel or a relay, SSH -L/-R/-D, SOCKS5 and"
                        + " HTTP proxies, UPnP/NAT-PMP/PCP, port triggering, knocks and login doors.",
        footerHeading = "%nEnvironment and files:%n",
        footer = {
            "PORTGATE_DATA: the data folder when --data is not given (the Debian package's: /var/lib/portgate).",
            "PORTGATE_API_TOKEN: the API token for commands that talk to a running gateway, instead of DATA/api-token.",
            "PORTGATE_ADMIN_PASSWORD: the console's admin password at the first start, instead of a random one.",
            "PORTGATE_JAVA_OPTS, PORTGATE_JAVA, PORTGATE_CDS=off: the launcher's extra JVM options, its java, and"
                    + " no class-data sharing.",
            "/etc/portgate/portgate.yaml: the service's config; /var/lib/portgate: its state;"
                    + " /var/cache/portgate: its class-data archive; systemctl reload portgate re-reads the config.",
        },
        subcommands = {
            ServeCommand.class,
            CheckCommand.class,
            ForwardCommand.class,
            ConnectionsCommand.class,
            StatusCommand.class,
            LeasesCommand.class,
            NodesCommand.class,
            StoreCommand.class,
            UpstreamCommand.class,
            KnockCommand.class,
            KernelCommand.class,
            KnockKeyCommand.class,
            AuditCommand.class,
            HashPasswordCommand.class,
            AdminCommand.class,
            SshCommand.class,
            TunnelCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Netty's leak detector records a stack trace for one buffer in 128 — 2 % of a busy SSH tunnel's CPU in the
        // profile (bench/RESULTS.md). The tests run with it on; a user can too, with -Dio.netty.leakDetection.level.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExitCodeExceptionMapper(e -> ExitCodes.USAGE);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
