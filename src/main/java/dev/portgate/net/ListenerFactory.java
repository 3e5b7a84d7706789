package dev.portgate.net;

import dev.portgate.forward.PortForward;
import dev.portgate.forward.PortRange;
import dev.portgate.forward.Protocol;
import dev.portgate.policy.Policy;
import java.util.ArrayList;
import java.util.List;

/** Makes the listeners a forward needs: one per port of its range and per protocol. */
public final class ListenerFactory {

    private final Transport transport;
    private final Policy policy;
    private final Dialer direct;

    public ListenerFactory(Transport transport, Policy policy, Dialer direct) {
        this.transport = transport;
        this.policy = policy;
        this.direct = direct;
    }

    public List<Listener> listenersFor(ActiveForward active) {
        List<Listener> out = new ArrayList<>();
        if (active.forward() instanceof PortForward pf) {
            PortRange ports = pf.listen().ports();
            for (int port = ports.first(); port <= ports.last(); port++) {
                if (pf.protocols().contains(Protocol.TCP)) {
                    out.add(new TcpListener(transport, active, policy, direct, pf.listen().address(), port));
                }
                if (pf.protocols().contains(Protocol.UDP)) {
                    out.add(new UdpListener(transport, active, policy, pf.listen().address(), port));
                }
            }
        }
        return out;
    }
}
