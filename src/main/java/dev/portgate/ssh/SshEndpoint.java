package dev.portgate.ssh;

import dev.portgate.net.Dialer;
import dev.portgate.net.Errors;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSH connection to one endpoint, shared by every forward that goes through it. Keepalives
 * notice a dead link; the link comes back by itself, with exponential backoff and jitter, and asks
 * again for its remote forwards. While it is down, new connections wait a little, then fail cleanly.
 */
public final class SshEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SshEndpoint.class);
    private static final Duration WAIT_FOR_LINK = Duration.ofSeconds(5);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    /** How the link is doing, for the console and the API. */
    /**
     * {@code failure}: what kind the last error was — {@code auth} (the server refused our key or password),
     * {@code host-key} (the server's key is not the known one), {@code network} (anything else) — or null.
     */
    public record Status(String name, String target, String state, Instant retryAt, String lastError, String failure) {}

    private final SshEndpointConfig config;
    private final SshClient client;
    private final ScheduledExecutorService timer;
    private final EventLoop loop;
    private final Map<String, RemoteRequest> remotes = new ConcurrentHashMap<>();
    private final Map<Integer, RemoteRequest> listening = new ConcurrentHashMap<>(); // by the port the server bound
    /** Site requests by name: they share port 80, and the server's channel opens name the site. */
    private final Map<String, RemoteRequest> sites = new ConcurrentHashMap<>();
    /** Remote forwards asked for while not connected, and the answer their listener waits for. */
    private final Map<RemoteRequest, Promise<Void>> pending = new ConcurrentHashMap<>();

    private volatile ClientSession session;
    private volatile String state = "connecting";
    private volatile Instant retryAt;
    private volatile String lastError;
    private volatile String failure;
    private volatile boolean closed;
    private int failures;

    /**
     * A remote forward to (re)request on every new session: where the server listens, the target here, and for each
     * connection the server passes back (by its originator) who lists and counts it.
     */
    /** {@code site}: the remote address is a site's name ({@code -R demo.example.net:80:…}), not a bind address. */
    record RemoteRequest(
            SshdSocketAddress remote,
            SshdSocketAddress local,
            Function<InetSocketAddress, Arrivals.Owner> owner,
            boolean site) {}

    /** {@code loop}: where every connection of this endpoint, and the forwards' through it, live. */
    SshEndpoint(SshEndpointConfig config, ScheduledExecutorService timer, SshIo io, EventLoop loop, Dialer direct) {
        this.config = config;
        this.timer = timer;
        this.loop = loop;
        this.client = SshClient.setUpDefaultClient();
        client.setIoServiceFactoryFactory(io);
        client.setServerKeyVerifier(
                new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, config.knownHosts()));
        if (config.identity() != null) {
            client.setKeyIdentityProvider(new FileKeyPairProvider(config.identity()));
        }
        // The server's forwarded-tcpip channels lead to the targets of our own remote forwards, bridged like every
        // tunnel; MINA's own forwarding (its port handlers and connector) is not used on this side at all.
        client.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        client.setChannelFactories(List.of(BridgedServerTcpip.factory(direct, new ForwardedBack(this::listeningOn))));
        // The endpoint's ciphers in its order; by default AES-GCM first (on AWS-LC, the fastest per byte here).
        client.setRandomFactory(BufferedRandom.FACTORY);
        client.setKeyExchangeFactories(SshCiphers.withoutSlowKex(client.getKeyExchangeFactories()));
        client.setCipherFactories(
                config.ciphers().stream().map(SshCiphers::named).collect(Collectors.toList()));
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, config.keepalive());
        CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(client, config.keepalive());
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 3);
        client.start();
    }

    SshEndpointConfig config() {
        return config;
    }

    void start() {
        timer.execute(this::connect);
    }

    private void connect() {
        if (closed) {
            return;
        }
        state = "connecting";
        boolean authenticating = false;
        try {
            ClientSession s = client.connect(config.user(), config.host(), config.port(), SshIo.onLoop(loop), null)
                    .verify(Duration.ofSeconds(15))
                    .getSession();
            if (config.password() != null) {
                s.addPasswordIdentity(config.password());
            }
            authenticating = true;
            s.auth().verify(Duration.ofSeconds(15));
            session = s;
            failures = 0;
            state = "connected";
            lastError = null;
            failure = null;
            log.info("ssh-endpoint \"{}\": connected to {}", config.name(), config);
            s.addCloseFutureListener(f -> {
                if (session == s) {
                    session = null;
                    listening.clear(); // the next session's server binds them again, perhaps on other ports
                    if (!closed) {
                        lastError = "connection lost";
                        log.warn("ssh-endpoint \"{}\": connection to {} lost", config.name(), config);
                        retryLater();
                    }
                }
            });
            // One forward the server refuses (a port in use, a name not permitted) must not cost the others theirs.
            for (RemoteRequest r : remotes.values()) {
                Promise<Void> answer = pending.remove(r);
                try {
                    requestRemote(s, r);
                    if (answer != null) {
                        answer.trySuccess(null);
                    }
                } catch (IllegalStateException refused) {
                    if (answer != null) {
                        answer.tryFailure(refused);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            lastError = Errors.reason(e);
            failure = failureKind(lastError, authenticating);
            log.warn("ssh-endpoint \"{}\": cannot connect to {}: {}", config.name(), config, lastError);
            // Their forwards show why; the Reconciler asks again, and the next connection carries them.
            for (Promise<Void> answer : pending.values()) {
                answer.tryFailure(new IOException("ssh-endpoint \"" + config.name() + "\" is not connected ("
                        + lastError + "); the forward opens when it is"));
            }
            pending.clear();
            retryLater();
        }
    }

    /** The host key is checked during the key exchange, so its rejection shows up while authenticating too. */
    static String failureKind(String reason, boolean authenticating) {
        String m = reason.toLowerCase(Locale.ROOT);
        if (m.contains("server key") || m.contains("host key") || m.contains("key did not validate")) {
            return "host-key";
        }
        if (authenticating && (m.contains("authentication") || m.contains("no more") || m.contains("auth"))) {
            return "auth";
        }
        return "network";
    }

    private void retryLater() {
        if (closed) {
            return;
        }
        failures++;
        long base = Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(failures - 1, 6));
        long delay = (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
        retryAt = Instant.now().plusMillis(delay);
        state = "retrying";
        timer.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /** The remote forward a {@code forwarded-tcpip} open naming {@code host:port} belongs to, or null. */
    private RemoteRequest listeningOn(String host, int port) {
        RemoteRequest site = host == null ? null : sites.get(host.toLowerCase(Locale.ROOT));
        return site != null && site.remote().getPort() == port ? site : listening.get(port);
    }

    private void requestRemote(ClientSession s, RemoteRequest r) {
        if (r.site()) {
            sites.put(r.remote().getHostName().toLowerCase(Locale.ROOT), r);
        } else if (r.remote().getPort() != 0) {
            listening.put(r.remote().getPort(), r); // a connection may come back before the reply does
        }
        try {
            SshdSocketAddress bound = s.startRemotePortForwarding(r.remote(), r.local());
            if (!r.site()) {
                listening.put(bound.getPort(), r);
            }
            log.info("ssh-endpoint \"{}\": remote forward {} -> {} open", config.name(), bound, r.local());
        } catch (IOException | RuntimeException e) {
            listening.values().removeIf(l -> l == r);
            sites.values().removeIf(l -> l == r);
            log.warn("ssh-endpoint \"{}\": remote forward {} refused: {}", config.name(), r.remote(), Errors.reason(e));
            throw new IllegalStateException(
                    "the SSH server refused to listen on " + r.remote() + ": " + Errors.reason(e), e);
        }
    }

    /** The remote forwards of the endpoint this one replaces (same name, new settings), asked for on its first connection. */
    void takeRemotesOf(SshEndpoint previous) {
        remotes.putAll(previous.remotes);
    }

    /**
     * Asks the server to listen (now if connected, and after every reconnect). Runs off the event loops. The answer
     * is the server's first one: at once when connected, else when the connection is up or has failed.
     */
    Future<Void> openRemote(String key, RemoteRequest request) {
        remotes.put(key, request);
        ClientSession s = session;
        if (s != null) {
            requestRemote(s, request);
            return GlobalEventExecutor.INSTANCE.newSucceededFuture(null);
        }
        Promise<Void> answer = GlobalEventExecutor.INSTANCE.newPromise();
        pending.put(request, answer);
        return answer;
    }

    void closeRemote(String key) {
        RemoteRequest r = remotes.remove(key);
        listening.values().removeIf(l -> l == r);
        sites.values().removeIf(l -> l == r);
        Promise<Void> answer = r == null ? null : pending.remove(r);
        if (answer != null) {
            answer.tryFailure(new IllegalStateException("closed before the SSH server answered"));
        }
        ClientSession s = session;
        if (r != null && s != null) {
            try {
                s.stopRemotePortForwarding(r.remote());
            } catch (IOException | RuntimeException e) {
                log.debug(
                        "ssh-endpoint \"{}\": stopping remote forward {}: {}", config.name(), r.remote(), e.toString());
            }
        }
    }

    /** Opens a {@code direct-tcpip} channel to host:port through this endpoint, as a Netty channel on the inbound's loop. */
    Dialer dialer() {
        return this::dial;
    }

    private Future<Channel> dial(Channel inbound, String host, int port) {
        Promise<Channel> promise = inbound.eventLoop().newPromise();
        timer.execute(() -> {
            try {
                ClientSession s = awaitSession();
                InetSocketAddress from = (InetSocketAddress) inbound.remoteAddress();
                BridgedTcpip ch = new BridgedTcpip(
                        "direct-tcpip",
                        new SshdSocketAddress(from.getHostString(), from.getPort()),
                        new SshdSocketAddress(host, port));
                s.getService(ConnectionService.class).registerChannel(ch);
                SshTunnelChannel.openOnto(ch, inbound, host, port, "the SSH server", promise);
            } catch (IOException | RuntimeException e) {
                promise.tryFailure(e);
            }
        });
        return promise;
    }

    private ClientSession awaitSession() throws IOException {
        long until = System.nanoTime() + WAIT_FOR_LINK.toNanos();
        ClientSession s;
        while ((s = session) == null && System.nanoTime() < until && !closed) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (s == null) {
            throw new IOException("ssh-endpoint \"" + config.name() + "\" is not connected ("
                    + (lastError == null ? state : lastError) + ")");
        }
        return s;
    }

    public Status status() {
        return new Status(
                config.name(),
                config.toString(),
                state,
                "retrying".equals(state) ? retryAt : null,
                lastError,
                lastError == null ? null : failure);
    }

    @Override
    public void close() {
        closed = true;
        ClientSession s = session;
        session = null;
        if (s != null) {
            s.close(true);
        }
        client.stop();
    }
}
