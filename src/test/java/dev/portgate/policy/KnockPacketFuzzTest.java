package dev.portgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portgate.forward.Forward;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Optional;

/** The knock port reads datagrams from anyone: none of them may throw, open a door, or ban its source. */
class KnockPacketFuzzTest {

    private static final byte[] KEY = new byte[32];
    private static final InetAddress SOURCE = InetAddress.getLoopbackAddress();

    @FuzzTest(maxDuration = "12s")
    void knock(FuzzedDataProvider data) {
        byte[] datagram = data.consumeRemainingAsBytes();
        KnockPacket p = KnockPacket.parse(datagram);
        if (p != null) {
            assertThat(p.forward()).isNotEmpty();
            assertThat(datagram.length).isLessThanOrEqualTo(KnockPacket.MAX_SIZE);
            // What parses can be built again under a key, and the rebuilt packet parses to the same fields.
            byte[] again = KnockPacket.build(p.forward(), p.epochSecond(), KEY);
            KnockPacket q = KnockPacket.parse(again);
            if (q != null) {
                assertThat(q.epochSecond()).isEqualTo(p.epochSecond());
                assertThat(KnockPacket.macValid(again, KEY)).isTrue();
            }
        }
        Bans bans = new Bans(Clock.systemUTC(), ban -> {});
        Knocks knocks =
                new Knocks(name -> Optional.<Forward>empty(), new Doors(Clock.systemUTC()), bans, Clock.systemUTC());
        assertThat(knocks.accept(datagram, SOURCE)).isInstanceOf(Knocks.Outcome.Rejected.class);
        assertThat(bans.isBanned(SOURCE)).isFalse();
    }
}
