package dev.portgate.ssh;

import dev.portgate.net.ActiveForward;
import dev.portgate.net.Dialer;
import dev.portgate.net.Listener;
import dev.portgate.net.Tunnels;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The configured SSH endpoints, by name; what the data plane's {@code via:} resolves to. */
public final class SshEndpoints implements Tunnels, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SshEndpoints.class);

    private final SshIo io;
    private final Dialer direct;
    private final Map<String, SshEndpoint> byName = new ConcurrentHashMap<>();
    // An endpoint keeps its loop when it is reconfigured: the forwards through it accept their connections there.
    private final Map<String, EventLoop> loops = new ConcurrentHashMap<>();
    private final ServerSessions serverSessions = new ServerSessions();
    private final ScheduledExecutorService workers = Executors.newScheduledThreadPool(4, r -> {
        Thread t = new Thread(r, "ssh-endpoints");
        t.setDaemon(true);
        return t;
    });

    /** {@code direct}: how the targets of remote forwards are reached when the server passes a connection back. */
    public SshEndpoints(SshIo io, Dialer direct) {
        this.io = io;
        this.direct = direct;
    }

    /** Starts new endpoints, restarts changed ones, stops those no longer configured. */
    public synchronized void apply(List<SshEndpointConfig> configs) {
        Map<String, SshEndpointConfig> wanted = new LinkedHashMap<>();
        configs.forEach(c -> wanted.put(c.name(), c));
        Map<String, SshEndpoint> replaced = new HashMap<>();
        for (var it = byName.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            SshEndpointConfig next = wanted.get(e.getKey());
            if (next == null || !next.equals(e.getValue().config())) {
                e.getValue().close();
                it.remove();
                replaced.put(e.getKey(), e.getValue());
                if (next == null) {
                    loops.remove(e.getKey());
                }
                log.info("ssh-endpoint \"{}\" {}", e.getKey(), next == null ? "removed" : "changed: reconnecting");
            }
        }
        for (SshEndpointConfig c : wanted.values()) {
            byName.computeIfAbsent(c.name(), n -> {
                SshEndpoint ep = new SshEndpoint(
                        c,
                        workers,
                        io,
                        loops.computeIfAbsent(n, name -> io.loops().next()),
                        direct);
                SshEndpoint before = replaced.get(n);
                if (before != null) {
                    // Its forwards did not change, so nobody opens their remote ports again: the new link asks for
                    // them.
                    ep.takeRemotesOf(before);
                }
                ep.start();
                return ep;
            });
        }
    }

    public List<SshEndpoint.Status> status() {
        List<SshEndpoint.Status> out = new ArrayList<>();
        byName.values().forEach(e -> out.add(e.status()));
        return out;
    }

    @Override
    public Dialer via(String endpoint) {
        return (inbound, host, port) -> {
            SshEndpoint ep = byName.get(endpoint);
            if (ep == null) {
                return inbound.eventLoop()
                        .newFailedFuture(
                                new IllegalStateException("there is no ssh-endpoint named \"" + endpoint + "\""));
            }
            return ep.dialer().dial(inbound, host, port);
        };
    }

    @Override
    public EventLoopGroup loopOf(String endpoint) {
        return loops.get(endpoint);
    }

    @Override
    public EventLoopGroup sessionLoop(String id) {
        return serverSessions.loopOf(id);
    }

    /** The sessions of portgate's own SSH server, that {@code ssh -R} forwards dial back through. */
    public ServerSessions serverSessions() {
        return serverSessions;
    }

    @Override
    public Dialer session(String id) {
        return (inbound, host, port) -> serverSessions.dial(id, inbound, host, port);
    }

    @Override
    public Listener remote(ActiveForward active) {
        return new RemoteTunnelListener(active, byName::get, workers);
    }

    @Override
    public void close() {
        byName.values().forEach(SshEndpoint::close);
        byName.clear();
        workers.shutdownNow();
    }
}
