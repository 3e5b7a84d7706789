package dev.portgate.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.Map;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.Test;

/** A server's forwarded-tcpip channels lead to our remote forwards' targets only, whatever else the open names. */
class ForwardedBackTest {

    private static final Arrivals.Owner NOBODY = new Arrivals.Owner() {
        @Override
        public void join(Channel tunnel, Channel target) {}
    };

    private final Map<Integer, SshEndpoint.RemoteRequest> ports = Map.of(
            8080,
            new SshEndpoint.RemoteRequest(
                    new SshdSocketAddress("0.0.0.0", 8080),
                    new SshdSocketAddress("127.0.0.1", 3000),
                    o -> NOBODY,
                    false));
    private final ForwardedBack back = new ForwardedBack((host, port) -> ports.get(port));

    @Test
    void aConnectionOnAForwardsPortGoesToThatForwardsTarget() {
        Arrivals.Route r = back.route(null, "0.0.0.0", 8080, new InetSocketAddress("127.0.0.1", 40000));
        assertThat(r).isNotNull();
        assertThat(r.host()).isEqualTo("127.0.0.1");
        assertThat(r.port()).isEqualTo(3000);
        assertThat(r.owner()).isSameAs(NOBODY);
    }

    @Test
    void aChannelForAPortWeDidNotAskForIsRefused() {
        assertThat(back.route(null, "0.0.0.0", 22, new InetSocketAddress("127.0.0.1", 40000)))
                .isNull();
        assertThat(back.route(null, "127.0.0.1", 3000, new InetSocketAddress("127.0.0.1", 40000)))
                .as("the target itself is no forward's port")
                .isNull();
    }
}
