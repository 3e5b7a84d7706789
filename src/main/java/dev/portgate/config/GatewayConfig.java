package dev.portgate.config;

import dev.portgate.forward.Forward;
import dev.portgate.ssh.SshServerConfig;
import java.util.List;

/** Everything a config file declares. {@code sshServer} is null when the file has no ssh-server section. */
public record GatewayConfig(List<Forward> forwards, SshServerConfig sshServer) {

    public static final GatewayConfig EMPTY = new GatewayConfig(List.of(), null);

    public GatewayConfig {
        forwards = List.copyOf(forwards);
    }
}
