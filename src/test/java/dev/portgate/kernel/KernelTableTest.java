package dev.portgate.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portgate.config.ConfigFile;
import dev.portgate.forward.Cidr;
import dev.portgate.forward.PortForward;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The nft commands a forward becomes, and the conntrack lines read back — without a kernel. */
class KernelTableTest {

    private static PortForward forward(String yaml) throws Exception {
        return (PortForward) ConfigFile.parse("forwards:\n  - " + yaml + "\n", "t.yaml")
                .forwards()
                .get(0);
    }

    @Test
    void aPlainForwardIsElementsOnlyAndALimitedOneGetsAChain() throws Exception {
        KernelTable table = new KernelTable("pg");
        KernelTable.Slot plain = new KernelTable.Slot(
                3,
                forward("{ name: game, protocol: udp, listen: 0.0.0.0:27015-27016, target: 10.0.0.7:27015-27016 }"),
                false);
        String added = table.install(plain);
        assertThat(added)
                .contains(
                        "add element inet pg nat_any4 { udp . 27015 : 10.0.0.7 . 27015, udp . 27016 : 10.0.0.7 . 27016 }")
                .contains("add element inet pg mark_any4 { udp . 27015 : 0x00030000, udp . 27016 : 0x00030000 }")
                .contains("add element inet pg conns { 0x00030000 comment \"game\" }")
                .doesNotContain("chain")
                .doesNotContain("counter ");
        assertThat(table.uninstall(plain))
                .contains("delete element inet pg nat_any4 { udp . 27015, udp . 27016 }")
                .contains("delete element inet pg conns { 0x00030000 }");

        KernelTable.Slot limited = new KernelTable.Slot(
                4,
                forward("{ name: web, listen: 10.0.0.1:8080, target: 10.0.0.7:80, allow: [ 10.0.0.0/8, 10.1.0.0/16 ],"
                        + " max-connections: 5, rate-limit: 10/m }"),
                true);
        assertThat(table.install(limited))
                .contains("add element inet pg nat_addr4 { 10.0.0.1 . tcp . 8080 : 10.0.0.7 . 80 }")
                .contains("add element inet pg restricted { 0x00040000 }")
                .contains("add element inet pg allow4 { 0x00040000 . 10.0.0.0/8 }")
                .doesNotContain("10.1.0.0/16")
                .contains("ct count over 5 ct mark @refused drop")
                .contains("limit rate over 10/minute burst 10 packets")
                .contains("add element inet pg limits { 0x00040000 : jump f4 }");
        assertThat(table.masqueraded(limited)).containsExactly("masq4 10.0.0.7 . tcp . 80");
    }

    @Test
    void overlappingNetworksAreWrittenOnce() {
        List<Cidr> in = List.of(
                Cidr.parse("10.1.0.0/16"), Cidr.parse("10.0.0.0/8"), Cidr.parse("10.0.0.0/8"), Cidr.parse("::/0"));
        assertThat(KernelTable.disjoint(in)).containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("::/0"));
    }

    @Test
    void conntrackLinesGiveTheClientTheTargetAndTheForward() {
        Conntrack.Flow f = Conntrack.parse("tcp      6 431999 ESTABLISHED src=10.91.2.2 dst=10.91.2.1 sport=48618"
                + " dport=8080 src=10.91.1.2 dst=10.91.2.2 sport=80 dport=48618 [ASSURED] mark=196608 use=1");
        assertThat(f).isNotNull();
        assertThat(f.id()).isEqualTo(3);
        assertThat(f.state()).isEqualTo("ESTABLISHED");
        assertThat(f.client().getHostAddress()).isEqualTo("10.91.2.2");
        assertThat(f.listenPort()).isEqualTo(8080);
        assertThat(f.target().getHostAddress()).isEqualTo("10.91.1.2");
        assertThat(f.assured()).isTrue();
        Conntrack.Flow udp = Conntrack.parse("udp      17 29 src=fd91:2::2 dst=fd91:2::1 sport=5000 dport=27016"
                + " [UNREPLIED] src=fd91:1::2 dst=fd91:2::2 sport=27016 dport=5000 mark=65536 use=1");
        assertThat(udp.unreplied()).isTrue();
        assertThat(udp.state()).isEmpty();
        assertThat(udp.id()).isEqualTo(1);
        assertThat(Conntrack.parse("conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown."))
                .isNull();
        assertThat(Conntrack.parse("tcp 6 1 SYN_SENT src=a.b.c.d dst=1.2.3.4 sport=1 dport=2 src=1.2.3.5 dst=1.1.1.1"
                        + " sport=2 dport=1 mark=0"))
                .isNull();
    }
}
