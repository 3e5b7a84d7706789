package dev.portgate.net;

import dev.portgate.forward.Cidr;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The networks on the gateway's own interfaces (not loopback, not IPv6 link-local), and a named interface's addresses. */
public final class AttachedNetworks {

    private AttachedNetworks() {}

    public static List<Cidr> read() {
        List<Cidr> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                    InetAddress a = ia.getAddress();
                    if (a.isLinkLocalAddress() || ia.getNetworkPrefixLength() <= 0) {
                        continue;
                    }
                    Cidr c = new Cidr(a, ia.getNetworkPrefixLength());
                    if (!out.contains(c)) {
                        out.add(c);
                    }
                }
            }
        } catch (SocketException e) {
            return out;
        }
        return out;
    }

    /** The private networks the gateway is on ("my network"); the private ranges when it is on none. */
    public static List<Cidr> lan() {
        List<Cidr> own = read().stream()
                .filter(c -> c.network().isSiteLocalAddress()
                        || (c.network() instanceof Inet6Address && (c.network().getAddress()[0] & 0xfe) == 0xfc))
                .toList();
        return own.isEmpty()
                ? List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("172.16.0.0/12"), Cidr.parse("192.168.0.0/16"))
                : own;
    }

    public static List<InetAddress> addressesOf(List<String> interfaces) {
        List<InetAddress> out = new ArrayList<>();
        for (String name : interfaces) {
            try {
                NetworkInterface ni = NetworkInterface.getByName(name);
                if (ni == null) {
                    continue;
                }
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (!(a instanceof Inet6Address && a.isLinkLocalAddress())) {
                        out.add(a);
                    }
                }
            } catch (SocketException e) {
                // an interface that went away has no addresses
            }
        }
        return out;
    }

    public static boolean contains(List<Cidr> networks, InetAddress a) {
        return networks.stream().anyMatch(c -> c.contains(a));
    }
}
