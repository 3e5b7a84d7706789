package dev.portgate.ssh;

import dev.portgate.forward.ListenSpec;
import java.util.List;
import java.util.Optional;

/** The {@code ssh-server:} section: where the tunnel server listens and who may use it. */
public record SshServerConfig(ListenSpec listen, List<SshUser> users) {

    public SshServerConfig {
        users = List.copyOf(users);
    }

    public Optional<SshUser> user(String name) {
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }
}
