package dev.portgate.socks;

import dev.portgate.forward.ProxyUser;
import dev.portgate.policy.PasswordHash;
import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Checks a proxy user's password on the auth threads (PBKDF2 is slow on purpose; an event loop must
 * not wait for it) and answers on the connection's own loop. Wrong passwords are throttled per
 * source address, like console logins.
 */
final class ProxyAuth {

    private ProxyAuth() {}

    /** Calls back on the channel's loop with true (valid), false (wrong or locked out). */
    static void check(
            ProxyContext pc, ChannelHandlerContext ctx, String user, String password, Consumer<Boolean> answer) {
        String source =
                ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
        if (pc.throttle().lockedFor(source).isPresent()) {
            answer.accept(false);
            return;
        }
        Optional<ProxyUser> known =
                pc.forward().users().stream().filter(u -> u.name().equals(user)).findFirst();
        try {
            pc.authWorkers().execute(() -> {
                boolean ok = known.isPresent()
                        && PasswordHash.verify(
                                password.toCharArray(), known.get().passwordHash());
                if (ok) {
                    pc.throttle().succeeded(source);
                } else {
                    pc.throttle().failed(source);
                }
                ctx.executor().execute(() -> answer.accept(ok));
            });
        } catch (RejectedExecutionException e) {
            answer.accept(false);
        }
    }
}
