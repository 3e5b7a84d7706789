package dev.portgate.ssh;

import dev.portgate.forward.Addresses;
import dev.portgate.net.Dialer;
import dev.portgate.net.SideConnections;
import dev.portgate.policy.LoginThrottle;
import dev.portgate.policy.PasswordHash;
import dev.portgate.store.FileShelf;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.AsyncAuthException;
import org.apache.sshd.server.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.server.global.CancelTcpipForwardHandler;
import org.apache.sshd.server.global.TcpipForwardHandler;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * portgate's SSH server, for tunnels only: any OpenSSH client may use {@code -L}, {@code -R} and
 * {@code -D} within its user's policy; there is no shell, no exec, no SFTP, no agent or X11
 * forwarding. The host key is made on first start in the data folder and its fingerprint logged.
 */
public final class TunnelServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TunnelServer.class);
    /** How long a session may take to log in, from its first byte (OpenSSH's LoginGraceTime is 120 s). */
    static final Duration LOGIN_GRACE = Duration.ofSeconds(30);

    private volatile SshServerConfig config;
    private final SshServer sshd;
    private final LoginThrottle throttle;
    private final Executor hashing;

    /**
     * {@code hashing} checks passwords (off the SSH loops: a hash takes a tenth of a second on purpose);
     * {@code io} holds the SSH connections' sockets; {@code direct} dials the {@code -L}/{@code -D} channels onto
     * their connection's loop, as the data plane dials every forward; {@code side} lists them.
     */
    /**
     * In a cluster every node shows one host key, made by the first node and kept in the store: an SSH client that
     * moves to another node (a floating address, a list of servers) is not told that the host changed.
     */
    private void shareHostKey() {
        if (!shelf.shared()) {
            return;
        }
        try {
            for (int i = 0; i < 20; i++) {
                boolean done = shelf.exclusively("ssh host key", () -> {
                    shelf.pull(hostKey);
                    if (!Files.exists(hostKey)) {
                        keys.loadKeys(null); // makes it
                    }
                    shelf.push(hostKey);
                });
                if (done) {
                    return;
                }
                Thread.sleep(250);
            }
            log.warn("ssh: another node kept the host key's lock; this node shows its own key until the next start");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("ssh: cannot share the host key through the store, this node shows its own: {}", e.toString());
        }
    }

    private final FileShelf shelf;
    private final Path hostKey;
    private final SimpleGeneratorHostKeyProvider keys;

    public TunnelServer(
            SshServerConfig config,
            Path data,
            LoginThrottle throttle,
            Executor hashing,
            SessionRules sessionRules,
            Dialer direct,
            SshIo io,
            SideConnections side,
            FileShelf shelf) {
        this.config = config;
        this.shelf = shelf;
        this.hostKey = data.resolve("ssh_host_key");
        this.throttle = throttle;
        this.hashing = hashing;
        this.sshd = SshServer.setUpDefaultServer();
        sshd.setIoServiceFactoryFactory(io);
        sshd.setHost(config.listen().host());
        sshd.setPort(config.listen().ports().first());
        this.keys = new SimpleGeneratorHostKeyProvider(hostKey);
        keys.setAlgorithm(KeyUtils.EC_ALGORITHM);
        keys.setKeySize(256);
        sshd.setKeyPairProvider(keys);
        TunnelPolicy policy = new TunnelPolicy(() -> this.config);
        sshd.setForwardingFilter(policy);
        sshd.setForwarderFactory(service -> new RangeForwarder(service, policy, sessionRules));
        sshd.setGlobalRequestHandlers(globalRequests(sshd.getGlobalRequestHandlers(), sessionRules));
        sshd.setChannelFactories(
                List.of(ChannelSessionFactory.INSTANCE, BridgedServerTcpip.factory(direct, new PermittedDirect(side))));
        sshd.setPublickeyAuthenticator(this::publicKey);
        sshd.setPasswordAuthenticator(this::password);
        sshd.setKeyboardInteractiveAuthenticator(null);
        offerMethodsFor(config);
        sshd.addSessionListener(new PreAuthLimits());
        CoreModuleProperties.AUTH_TIMEOUT.set(sshd, LOGIN_GRACE);
        sshd.setCipherFactories(SshCiphers.SERVER);
        sshd.setKeyExchangeFactories(SshCiphers.withoutSlowKex(sshd.getKeyExchangeFactories()));
        sshd.setRandomFactory(BufferedRandom.FACTORY);
        sshd.setShellFactory(channel -> new NoticeShell(sessionRules.notices()));
        sshd.setCommandFactory(null);
    }

    /** MINA's handlers but its {@code ssh -R} ones, answered in turn; ours for {@code ssh -R}, off the loop. */
    private static List<RequestHandler<ConnectionService>> globalRequests(
            List<RequestHandler<ConnectionService>> mina, SessionRules sessionRules) {
        List<RequestHandler<ConnectionService>> handlers = new ArrayList<>();
        handlers.add(new ForwardRequests(sessionRules.changes()));
        handlers.addAll(GlobalReplies.inTurn(mina.stream()
                .filter(h -> !(h instanceof TcpipForwardHandler) && !(h instanceof CancelTcpipForwardHandler))
                .toList()));
        handlers.add(GlobalReplies.UNKNOWN);
        return handlers;
    }

    public void start() throws IOException {
        shareHostKey();
        sshd.start();
        StringBuilder fingerprints = new StringBuilder();
        try {
            for (KeyPair kp : sshd.getKeyPairProvider().loadKeys(null)) {
                fingerprints.append(KeyUtils.getFingerPrint(kp.getPublic()));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the SSH host key: " + e.getMessage(), e);
        }
        log.info(
                "ssh server on {} for tunnels ({} user{}), host key {}",
                Addresses.hostPort(config.listen().host(), sshd.getPort()),
                config.users().size(),
                config.users().size() == 1 ? "" : "s",
                fingerprints);
    }

    /** Takes new users and policies at once; a new listen address needs a restart. */
    public void update(SshServerConfig next) {
        if (!next.listen().equals(config.listen())) {
            log.warn("ssh-server: listen changed to {} — restart portgate to move the SSH server", next.listen());
        }
        this.config = next;
        offerMethodsFor(next);
    }

    /** Offers only what some user can pass: password auth only when a user has a password (new sessions). */
    private void offerMethodsFor(SshServerConfig c) {
        boolean passwords = c.users().stream().anyMatch(u -> u.passwordHash() != null);
        sshd.setUserAuthFactories(
                passwords
                        ? List.of(UserAuthPublicKeyFactory.INSTANCE, UserAuthPasswordFactory.INSTANCE)
                        : List.of(UserAuthPublicKeyFactory.INSTANCE));
    }

    public int port() {
        return sshd.getPort();
    }

    private boolean publicKey(String username, PublicKey key, ServerSession session) {
        String source = source(session);
        if (throttle.lockedFor(source).isPresent()) {
            return false;
        }
        Optional<SshUser> user = config.user(username);
        boolean ok = user.isPresent() && user.get().keys().stream().anyMatch(k -> KeyUtils.compareKeys(k, key));
        if (!ok) {
            throttle.failed(source);
            log.info("ssh: key {} for \"{}\" from {} refused", KeyUtils.getFingerPrint(key), username, source);
        }
        return ok;
    }

    private boolean password(String username, String password, ServerSession session) {
        String source = source(session);
        if (throttle.lockedFor(source).isPresent()) {
            return false;
        }
        Optional<SshUser> user = config.user(username);
        String hash = user.map(SshUser::passwordHash).orElse(null);
        if (hash == null) {
            passwordChecked(false, username, source);
            return false;
        }
        // MINA waits for the answer without holding the connection's loop.
        AsyncAuthException pending = new AsyncAuthException();
        hashing.execute(() -> pending.setAuthed(
                passwordChecked(PasswordHash.verify(password.toCharArray(), hash), username, source)));
        throw pending;
    }

    private boolean passwordChecked(boolean ok, String username, String source) {
        if (ok) {
            throttle.succeeded(source);
        } else {
            throttle.failed(source);
            log.info("ssh: password for \"{}\" from {} refused", username, source);
        }
        return ok;
    }

    private static String source(Session session) {
        return session.getRemoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : "?";
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }
}
