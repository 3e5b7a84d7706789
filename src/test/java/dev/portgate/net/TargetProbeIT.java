package dev.portgate.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portgate.config.ConfigFile;
import dev.portgate.forward.Origin;
import dev.portgate.forward.PortForward;
import dev.portgate.testing.Net;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** An idle forward's target is checked by itself: the state follows the target, and a device's lease is left alone. */
class TargetProbeIT {

    private static final Duration LIMIT = Duration.ofSeconds(20);

    @Test
    void anIdleForwardsTargetIsProbedAndItsStateFollowsTheTarget() throws Exception {
        try (Transport transport = new Transport(1);
                ServerSocket target = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            PortForward nas = (PortForward) ConfigFile.parse(
                            "forwards:\n  - { name: nas, listen: 127.0.0.1:" + Net.freeTcpPort()
                                    + ", target: 127.0.0.1:" + target.getLocalPort() + " }\n",
                            "pg.yaml")
                    .forwards()
                    .get(0);
            PortForward lease = new PortForward(
                    "lease-tcp-1",
                    true,
                    "",
                    new Origin(Origin.Kind.UPNP, "127.0.0.1"),
                    nas.protocols(),
                    nas.listen(),
                    nas.target(),
                    nas.limits(),
                    nas.proxyProtocol());
            AtomicLong ids = new AtomicLong();
            ActiveForward byPerson = new ActiveForward(nas, ids);
            ActiveForward byDevice = new ActiveForward(lease, ids);
            try (TargetProbe probe =
                    new TargetProbe(transport, () -> List.of(byPerson, byDevice), Duration.ofSeconds(2)).start()) {
                await().atMost(LIMIT).until(() -> byPerson.health().snapshot().state() == TargetHealth.State.REACHABLE);
                assertThat(byDevice.health().snapshot().state())
                        .as("a device's own lease is not probed")
                        .isEqualTo(TargetHealth.State.UNKNOWN);
                target.close();
                await().atMost(LIMIT)
                        .until(() -> byPerson.health().snapshot().state() == TargetHealth.State.UNREACHABLE);
                assertThat(byPerson.health().snapshot().reason())
                        .isEqualTo("connection refused: nothing listens on that port");
            }
        }
    }
}
