package dev.portgate.cli;

import dev.portgate.forward.Addresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Parses {@code --console}: {@code [address:]port}, the address an IP literal; port 0 picks a free one. */
final class ConsoleAddress {

    private ConsoleAddress() {}

    static InetSocketAddress parse(String text) {
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : s.substring(0, colon);
        String port = colon < 0 ? s : s.substring(colon + 1);
        InetAddress address = Addresses.literal(host);
        if (address == null) {
            throw new IllegalArgumentException("\"" + text + "\": \"" + host
                    + "\" is not an IP address — write it like 127.0.0.1:7080 or [::1]:7080");
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\": \"" + port + "\" is not a port number");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("\"" + text + "\": port " + p + " is out of range 0-65535");
        }
        return new InetSocketAddress(address, p);
    }
}
