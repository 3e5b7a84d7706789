package dev.portgate.ssh;

import java.nio.file.Path;
import java.time.Duration;

/**
 * An SSH server portgate's tunnels go through ({@code ssh-endpoints:}). Host keys are checked
 * against {@code knownHosts} strictly: an unknown or changed key is refused.
 */
public record SshEndpointConfig(String name, String host, int port, String user, Path identity, String password,
                                Path knownHosts, Duration keepalive) {

    @Override
    public String toString() {
        return user + "@" + host + ":" + port;  // never the password
    }
}
