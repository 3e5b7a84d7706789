package dev.portgate.net;

import dev.portgate.forward.ListenSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The transparent egress listener as the config asks for it: opened, moved or closed on each apply. */
public final class EgressPort implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EgressPort.class);

    private final Transport transport;
    private final Dialer direct;
    private final EgressObserver observer;
    private final SideConnections side;
    private ListenSpec spec;
    private TransparentEgress egress;

    public EgressPort(Transport transport, Dialer direct, EgressObserver observer, SideConnections side) {
        this.transport = transport;
        this.direct = direct;
        this.observer = observer;
        this.side = side;
    }

    /** {@code null}: no egress section. */
    public synchronized void apply(ListenSpec next) {
        if (Objects.equals(next, spec)) {
            return;
        }
        close();
        spec = next;
        if (next != null) {
            try {
                egress = TransparentEgress.open(
                        transport,
                        new InetSocketAddress(next.address(), next.ports().first()),
                        direct,
                        observer,
                        side);
            } catch (IOException e) {
                log.warn("egress: {}", e.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (egress != null) {
            egress.close();
            egress = null;
        }
    }
}
