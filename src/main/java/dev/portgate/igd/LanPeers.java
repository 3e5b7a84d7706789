package dev.portgate.igd;

import dev.portgate.forward.Cidr;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The networks of the LAN-side addresses: only peers inside them are answered, so a request that
 * reaches a LAN address from elsewhere (the WAN side, a routed network) is dropped and counted.
 */
public final class LanPeers {

    private final List<Cidr> networks;

    private LanPeers(List<Cidr> networks) {
        this.networks = List.copyOf(networks);
    }

    public static LanPeers of(List<InetAddress> lan) {
        List<Cidr> out = new ArrayList<>();
        for (InetAddress a : lan) {
            try {
                // The network of the interface address that holds (or, like 127.0.0.2 on lo, covers) it.
                for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    for (InterfaceAddress ia : nic.getInterfaceAddresses()) {
                        Cidr net = new Cidr(ia.getAddress(), ia.getNetworkPrefixLength());
                        if (net.contains(a) && !out.contains(net)) {
                            out.add(net);
                        }
                    }
                }
            } catch (SocketException e) {
                // Not on an interface (yet): the address itself is the only peer.
            }
            if (out.stream().noneMatch(c -> c.contains(a))) {
                out.add(new Cidr(a, a.getAddress().length * 8));
            }
        }
        return new LanPeers(out);
    }

    public boolean contains(InetAddress peer) {
        for (Cidr c : networks) {
            if (c.contains(peer)) {
                return true;
            }
        }
        return false;
    }

    public List<Cidr> networks() {
        return networks;
    }
}
