package dev.portgate.igd;

import dev.portgate.forward.Origin;
import dev.portgate.forward.Protocol;
import java.net.InetAddress;
import java.time.Duration;

/**
 * What a device asks for, whichever protocol carried it. {@code externalPort} 0 means "any";
 * {@code exact} false lets the gateway choose another external port when the wanted one is taken
 * (NAT-PMP, PCP, AddAnyPortMapping), true refuses instead (AddPortMapping).
 */
public record LeaseRequest(
        Origin.Kind via,
        InetAddress requester,
        InetAddress internalClient,
        Protocol protocol,
        int externalPort,
        int internalPort,
        Duration lifetime,
        String description,
        InetAddress remoteHost,
        boolean enabled,
        String nonce,
        boolean exact) {

    public LeaseRequest {
        description = description == null ? "" : description;
        nonce = nonce == null ? "" : nonce;
    }
}
