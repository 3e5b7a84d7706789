package dev.portgate.config;

import dev.portgate.forward.Forward;
import dev.portgate.forward.ListenSpec;
import dev.portgate.http.HttpRoutingConfig;
import dev.portgate.igd.IgdConfig;
import dev.portgate.igd.UpstreamConfig;
import dev.portgate.kernel.KernelSettings;
import dev.portgate.policy.Bans;
import dev.portgate.policy.Firewall;
import dev.portgate.policy.KnockConfig;
import dev.portgate.ssh.SshEndpointConfig;
import dev.portgate.ssh.SshServerConfig;
import dev.portgate.store.NodeSettings;
import dev.portgate.store.StoreSettings;
import dev.portgate.trigger.TriggerConfig;
import dev.portgate.tunnel.TunnelEndpointConfig;
import dev.portgate.tunnel.TunnelServerConfig;
import java.util.List;

/**
 * Everything a config file declares. {@code sshServer}, {@code tunnelServer}, {@code httpRouting}, {@code igd} and {@code upstream} are null
 * when the file has no such section; {@code kernel} and {@code store} are the defaults when it has none, and
 * {@code node} is null.
 */
public record GatewayConfig(
        List<Forward> forwards,
        SshServerConfig sshServer,
        List<SshEndpointConfig> sshEndpoints,
        IgdConfig igd,
        UpstreamConfig upstream,
        Firewall firewall,
        Bans.Settings bans,
        KnockConfig knock,
        List<TriggerConfig> triggers,
        ListenSpec transparentEgress,
        KernelSettings kernel,
        TunnelServerConfig tunnelServer,
        List<TunnelEndpointConfig> tunnelEndpoints,
        HttpRoutingConfig httpRouting,
        StoreSettings store,
        NodeSettings node) {

    public static final GatewayConfig EMPTY = new GatewayConfig(List.of(), null, List.of(), null, null);

    public GatewayConfig(
            List<Forward> forwards,
            SshServerConfig sshServer,
            List<SshEndpointConfig> sshEndpoints,
            IgdConfig igd,
            UpstreamConfig upstream) {
        this(
                forwards,
                sshServer,
                sshEndpoints,
                igd,
                upstream,
                Firewall.OPEN,
                Bans.Settings.DEFAULT,
                null,
                List.of(),
                null,
                KernelSettings.DEFAULT,
                null,
                List.of(),
                null,
                StoreSettings.EMBEDDED,
                null);
    }

    public GatewayConfig {
        forwards = List.copyOf(forwards);
        sshEndpoints = List.copyOf(sshEndpoints);
        firewall = firewall == null ? Firewall.OPEN : firewall;
        triggers = triggers == null ? List.of() : List.copyOf(triggers);
        bans = bans == null ? Bans.Settings.DEFAULT : bans;
        kernel = kernel == null ? KernelSettings.DEFAULT : kernel;
        tunnelEndpoints = tunnelEndpoints == null ? List.of() : List.copyOf(tunnelEndpoints);
        store = store == null ? StoreSettings.EMBEDDED : store;
    }

    /** This node's name and address: the {@code node:} section, or the host's name. */
    public NodeSettings nodeOrDefault() {
        return node == null ? NodeSettings.defaults() : node;
    }
}
