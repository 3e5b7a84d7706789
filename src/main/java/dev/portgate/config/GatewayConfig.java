package dev.portgate.config;

import dev.portgate.forward.Forward;
import dev.portgate.ssh.SshEndpointConfig;
import dev.portgate.ssh.SshServerConfig;
import java.util.List;

/** Everything a config file declares. {@code sshServer} is null when the file has no ssh-server section. */
public record GatewayConfig(List<Forward> forwards, SshServerConfig sshServer, List<SshEndpointConfig> sshEndpoints) {

    public static final GatewayConfig EMPTY = new GatewayConfig(List.of(), null, List.of());

    public GatewayConfig {
        forwards = List.copyOf(forwards);
        sshEndpoints = List.copyOf(sshEndpoints);
    }
}
