package dev.portgate.ssh;

import dev.portgate.net.OncePer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds sessions that have not authenticated yet, per source address and in total (OpenSSH's
 * MaxStartups, as hard limits): a session beyond either is closed as it starts. Banner-only sessions
 * cost memory and a key exchange each; an authenticated session no longer counts.
 */
final class PreAuthLimits implements SessionListener {

    private static final Logger log = LoggerFactory.getLogger(PreAuthLimits.class);
    static final int PER_SOURCE = 10;
    static final int TOTAL = 100;

    private final Set<Session> pending = new HashSet<>();
    private final Map<String, Integer> bySource = new HashMap<>();
    private final LongAdder refused = new LongAdder();
    private final OncePer logLine = new OncePer(Duration.ofMinutes(1));

    @Override
    public void sessionCreated(Session session) {
        String source = source(session);
        boolean admitted;
        synchronized (this) {
            admitted = pending.size() < TOTAL && bySource.getOrDefault(source, 0) < PER_SOURCE;
            if (admitted) {
                pending.add(session);
                bySource.merge(source, 1, Integer::sum);
            }
        }
        if (!admitted) {
            refused.increment();
            if (logLine.now()) {
                log.info(
                        "ssh: refusing new sessions from {}: {} of its own (or {} in all) are not logged in yet;"
                                + " refusals are counted, next line in a minute",
                        source,
                        PER_SOURCE,
                        TOTAL);
            }
            session.close(true);
        }
    }

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event == Event.Authenticated) {
            release(session);
        }
    }

    @Override
    public void sessionClosed(Session session) {
        release(session);
    }

    private synchronized void release(Session session) {
        if (pending.remove(session)) {
            bySource.computeIfPresent(source(session), (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    long refused() {
        return refused.sum();
    }

    private static String source(Session session) {
        return session.getRemoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : "?";
    }
}
