package dev.portgate.socks;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portgate.forward.DynamicForward;
import dev.portgate.forward.Limits;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Origin;
import dev.portgate.forward.ProxyKind;
import dev.portgate.forward.ProxyUser;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.EgressObserver;
import dev.portgate.net.Tunnels;
import dev.portgate.policy.Bans;
import dev.portgate.policy.Doors;
import dev.portgate.policy.LoginThrottle;
import dev.portgate.policy.PasswordHash;
import dev.portgate.policy.Policy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SOCKS5, SOCKS4a and HTTP proxy handshakes from a stranger, through the real detector and handlers on
 * an EmbeddedChannel. The forward permits no destination and the dialer refuses, so nothing is dialled
 * and no name is resolved: the handshake may only answer, refuse or close, and never throw.
 */
class ProxyHandshakeFuzzTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 1080);
    private static final AtomicInteger DIALS = new AtomicInteger();
    private static final String HASH = PasswordHash.hash("fuzz-password".toCharArray());

    private static ProxyServices services() {
        Bans bans = new Bans(Clock.systemUTC(), ban -> {});
        return new ProxyServices(
                null,
                new Policy(bans, new Doors(Clock.systemUTC())),
                (Channel inbound, String host, int port) -> {
                    DIALS.incrementAndGet();
                    return ImmediateEventExecutor.INSTANCE.<Channel>newFailedFuture(new IllegalStateException("no"));
                },
                Tunnels.NONE,
                Runnable::run,
                new LoginThrottle(bans, "fuzz"),
                EgressObserver.NONE);
    }

    @FuzzTest(maxDuration = "12s")
    void handshake(FuzzedDataProvider data) throws Exception {
        boolean withUsers = data.consumeBoolean();
        DynamicForward forward = new DynamicForward(
                "proxy",
                true,
                "",
                new Origin(Origin.Kind.CONFIG, ""),
                ListenSpec.parse("127.0.0.1:1080"),
                EnumSet.of(ProxyKind.SOCKS5, ProxyKind.SOCKS4, ProxyKind.HTTP),
                withUsers ? List.of(new ProxyUser("bob", HASH)) : List.of(),
                List.of(),
                List.of(),
                false,
                Limits.NONE,
                null);
        ActiveForward active = new ActiveForward(forward, new AtomicLong());
        EmbeddedChannel ch = new EmbeddedChannel(false, false) {
            @Override
            protected SocketAddress remoteAddress0() {
                return CLIENT;
            }

            @Override
            protected SocketAddress localAddress0() {
                return LOCAL;
            }
        };
        ch.pipeline().addLast(services().frontend(active));
        ch.register();
        int dialsBefore = DIALS.get();
        while (data.remainingBytes() > 0 && ch.isOpen() && ch.config().isAutoRead()) {
            ch.writeInbound(Unpooled.wrappedBuffer(data.consumeBytes(1 + data.consumeInt(0, 64))));
            ch.runPendingTasks();
        }
        for (Object out = ch.readOutbound(); out != null; out = ch.readOutbound()) {
            if (out instanceof ByteBuf b) {
                assertThat(b.readableBytes()).as("an answer is small").isLessThan(4096);
            }
            ReferenceCountUtil.release(out);
        }
        ch.checkException();
        assertThat(DIALS.get())
                .as("nothing is dialled: no destination is permitted")
                .isEqualTo(dialsBefore);
        ch.finishAndReleaseAll();
    }
}
