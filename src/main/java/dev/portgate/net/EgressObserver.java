package dev.portgate.net;

import dev.portgate.forward.Protocol;
import java.net.InetAddress;

/** Told of every outbound connection portgate carries for a device (proxy or transparent egress): how triggers see traffic. */
@FunctionalInterface
public interface EgressObserver {

    EgressObserver NONE = (device, protocol, port) -> {};

    /** Called on an event loop: must return at once. */
    void outbound(InetAddress device, Protocol protocol, int port);
}
