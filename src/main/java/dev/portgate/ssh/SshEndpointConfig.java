package dev.portgate.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.Cipher;

/**
 * An SSH server portgate's tunnels go through ({@code ssh-endpoints:}). Host keys are checked
 * against {@code knownHosts} strictly: an unknown or changed key is refused.
 */
public record SshEndpointConfig(
        String name,
        String host,
        int port,
        String user,
        Path identity,
        String password,
        Path knownHosts,
        Duration keepalive,
        List<String> ciphers) {

    /** Ciphers in the order offered when an endpoint names none: AES-GCM first (the CPU's AES instructions). */
    public static final List<String> DEFAULT_CIPHERS = List.of(
            "aes128-gcm@openssh.com",
            "aes256-gcm@openssh.com",
            "chacha20-poly1305@openssh.com",
            "aes128-ctr",
            "aes256-ctr");

    public SshEndpointConfig(
            String name,
            String host,
            int port,
            String user,
            Path identity,
            String password,
            Path knownHosts,
            Duration keepalive) {
        this(name, host, port, user, identity, password, knownHosts, keepalive, DEFAULT_CIPHERS);
    }

    public SshEndpointConfig {
        ciphers = ciphers == null || ciphers.isEmpty() ? DEFAULT_CIPHERS : List.copyOf(ciphers);
    }

    /** Checks a cipher name against what portgate's SSH offers; the message lists them. */
    public static String checkCipher(String name) {
        NamedFactory<Cipher> c = SshCiphers.named(name.strip());
        if (c == null) {
            throw new IllegalArgumentException("\"" + name + "\" is not a cipher portgate speaks — use "
                    + String.join(", ", DEFAULT_CIPHERS) + " or aes192-ctr");
        }
        return c.getName();
    }

    @Override
    public String toString() {
        return user + "@" + host + ":" + port; // never the password
    }
}
