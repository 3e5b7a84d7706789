package dev.portgate.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The {@code node:} section: this node's name in a cluster (unique among the nodes sharing a store; the host
 * name when not given) and the address the other nodes reach it at.
 */
public record NodeSettings(String name, String address, String linkTransport) {

    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public static NodeSettings defaults() {
        return new NodeSettings(hostName(), "", "tcp");
    }

    /** The kernel's host name, read without a DNS query (InetAddress.getLocalHost() may ask a resolver). */
    static String hostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (NAME.matcher(name).matches()) {
                return name;
            }
        } catch (IOException e) {
            // not Linux: the environment may say
        }
        String env = System.getenv("HOSTNAME");
        return env != null && NAME.matcher(env).matches() ? env : "portgate";
    }

    /** Checks a node name as a user wrote it; the message says what a name may be. */
    public static String checkName(String s) {
        String t = s.strip();
        if (!NAME.matcher(t).matches()) {
            throw new IllegalArgumentException("\"" + t + "\" is not a node name"
                    + " — use letters, digits, '.', '-' or '_', at most 63, starting with a letter or digit");
        }
        return t;
    }
}
