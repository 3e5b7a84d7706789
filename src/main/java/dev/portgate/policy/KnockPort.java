package dev.portgate.policy;

import dev.portgate.net.KnockListener;
import dev.portgate.net.OncePer;
import dev.portgate.net.Transport;
import dev.portgate.rules.Actor;
import dev.portgate.store.AuditLog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The knock port as the config asks for it: opened, moved or closed on each apply; every datagram is
 * checked by {@link Knocks} off the event loop, and what it did is logged and audited.
 */
public final class KnockPort implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KnockPort.class);

    private final Transport transport;
    private final Knocks knocks;
    private final AuditLog audit;
    private final Executor workers;
    private final OncePer auditEntry = new OncePer(Duration.ofSeconds(1));
    private KnockConfig config;
    private KnockListener listener;

    public KnockPort(Transport transport, Knocks knocks, AuditLog audit, Executor workers) {
        this.transport = transport;
        this.knocks = knocks;
        this.audit = audit;
        this.workers = workers;
    }

    /** Opens, moves or closes the knock port to match the config's knock section ({@code null}: none). */
    public synchronized void apply(KnockConfig next) {
        if (Objects.equals(next, config)) {
            return;
        }
        closeListener();
        config = next;
        if (next == null) {
            return;
        }
        knocks.maxSkew(next.maxSkew());
        try {
            listener = KnockListener.open(
                    transport,
                    new InetSocketAddress(
                            next.listen().address(), next.listen().ports().first()),
                    workers,
                    this::knocked);
        } catch (IOException e) {
            log.warn("knock: {}", e.getMessage());
        }
    }

    private void knocked(byte[] datagram, InetAddress source) {
        Knocks.Outcome o = knocks.accept(datagram, source);
        if (o instanceof Knocks.Outcome.Opened opened) {
            log.info(
                    "knock from {} opened forward \"{}\" until {}",
                    source.getHostAddress(),
                    opened.forward(),
                    opened.door().until());
            audit.record(
                    new Actor("knock", source.getHostAddress()),
                    "knock.accept",
                    opened.forward(),
                    "open until " + opened.door().until());
        } else if (o instanceof Knocks.Outcome.Rejected r) {
            // Garbage is only counted; a knock that names a forward is audited, at most once a second (a flood stays a
            // count).
            if (!r.forward().isEmpty() && auditEntry.now()) {
                log.info("knock from {} for \"{}\" rejected: {}", source.getHostAddress(), r.forward(), r.why());
                audit.record(new Actor("knock", source.getHostAddress()), "knock.reject", r.forward(), r.why());
            } else {
                log.debug("knock from {} rejected: {}", source.getHostAddress(), r.why());
            }
        }
    }

    /** The knock port, or -1 when there is none. */
    public synchronized int port() {
        return listener == null ? -1 : listener.port();
    }

    private void closeListener() {
        if (listener != null) {
            listener.close();
            listener = null;
        }
    }

    @Override
    public synchronized void close() {
        closeListener();
    }
}
