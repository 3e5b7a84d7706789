package dev.portgate.igd;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portgate.config.ConfigFile;
import dev.portgate.forward.Forward;
import dev.portgate.rules.Actor;
import dev.portgate.rules.Change;
import dev.portgate.rules.Reconciler;
import dev.portgate.rules.RuleService;
import dev.portgate.store.RuleStore;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * NAT-PMP and PCP requests as any LAN device may send them, through the real handlers and lease book.
 * Rules are kept in memory and no Reconciler runs them, so a fuzzed mapping opens no socket.
 */
class PmpFuzzTest {

    private static final InetAddress DEVICE = InetAddress.getLoopbackAddress();
    private static IgdService igd;

    @BeforeAll
    static void start() throws Exception {
        RuleStore memory = new RuleStore() {
            @Override
            public List<Forward> load() {
                return List.of();
            }

            @Override
            public void commit(List<Change> changes, Actor actor) {}
        };
        igd = new IgdService(new RuleService(memory), new Reconciler(null), null, Clock.systemUTC());
        igd.apply(ConfigFile.parse(
                        "igd:\n  lan: [ 127.0.0.1 ]\n  external-address: 203.0.113.7\n  listen: 127.0.0.1\n"
                                + "  upnp: false\n  nat-pmp: false\n  pcp: false\n",
                        "fuzz.yaml")
                .igd());
        igd.setEnabled("nat-pmp", true);
        igd.setEnabled("pcp", true);
    }

    @AfterAll
    static void stop() {
        igd.close();
    }

    @FuzzTest(maxDuration = "12s")
    void natPmp(FuzzedDataProvider data) throws Exception {
        byte[] request = data.consumeRemainingAsBytes();
        Optional<byte[]> answer = new NatPmp(igd).handle(request, DEVICE).get(10, TimeUnit.SECONDS);
        if (answer.isPresent()) {
            byte[] a = answer.get();
            assertThat(a.length).isIn(8, 12, 16);
            assertThat(a[0]).as("version").isZero();
            assertThat(a[1] & 0xff).as("opcode of a response").isEqualTo((request[1] & 0xff) + 128);
        }
    }

    @FuzzTest(maxDuration = "12s")
    void pcp(FuzzedDataProvider data) throws Exception {
        byte[] request = data.consumeRemainingAsBytes();
        Optional<byte[]> answer = new Pcp(igd).handle(request, DEVICE).get(10, TimeUnit.SECONDS);
        if (answer.isPresent()) {
            byte[] a = answer.get();
            assertThat(a.length % 4).isZero();
            assertThat(a.length).isBetween(Pcp.HEADER, Pcp.MAX_SIZE);
            assertThat(a[1] & 0x80).as("the response bit").isEqualTo(0x80);
        }
    }
}
