package dev.portgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portgate.config.ConfigFile;
import dev.portgate.forward.Cidr;
import dev.portgate.forward.Forward;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExposureTest {

    private static final List<Cidr> LAN = List.of(Cidr.parse("192.168.1.0/24"));

    private static Forward parse(String entry) throws Exception {
        return ConfigFile.parse("forwards:\n" + entry, "pg.yaml").forwards().get(0);
    }

    @Test
    void anRdpPortOpenToAnyoneIsAWarningAndEachGuardRemovesIt() throws Exception {
        Forward open = parse("  - { name: rdp, listen: 0.0.0.0:3389, target: 10.0.0.20:3389 }\n");
        Exposure e = Exposure.of(open, Firewall.OPEN, LAN);
        assertThat(e.reach()).isEqualTo("anyone");
        assertThat(e.service()).isEqualTo("RDP");
        assertThat(e.guarded()).isFalse();
        assertThat(e.texts())
                .containsExactly(
                        "RDP is reachable from anywhere with no protection: anyone on the internet can try it",
                        "no rate limit: password guessing against RDP runs at full speed");
        assertThat(e.warnings().get(0).fixes())
                .extracting(Exposure.Fix::id)
                .containsExactly("limit-to-lan", "require-login", "close-at");
        assertThat(e.warnings().get(0).fixes().get(0).patch()).containsEntry("allow", List.of("192.168.1.0/24"));
        assertThat(e.warnings().get(1).fixes().get(0).patch()).containsEntry("rate-limit", "10/m");

        assertThat(Exposure.of(
                                parse(
                                        "  - { name: rdp, listen: 0.0.0.0:3389, target: 10.0.0.20:3389, access: login }\n"),
                                Firewall.OPEN,
                                LAN)
                        .texts())
                .isEmpty();
        assertThat(Exposure.of(
                                parse(
                                        "  - { name: rdp, listen: 0.0.0.0:3389, target: 10.0.0.20:3389, allow: [ 10.0.0.0/8 ] }\n"),
                                Firewall.OPEN,
                                LAN)
                        .reach())
                .isEqualTo("allow-listed sources");
        assertThat(Exposure.of(open, new Firewall(List.of(Cidr.parse("10.0.0.0/8")), List.of()), LAN)
                        .texts())
                .isEmpty();
        assertThat(Exposure.of(
                                parse("  - { name: rdp, listen: 127.0.0.1:3389, target: 10.0.0.20:3389 }\n"),
                                Firewall.OPEN,
                                LAN)
                        .reach())
                .isEqualTo("this machine only");
        assertThat(Exposure.of(
                                parse("  - { name: web, listen: 0.0.0.0:8080, target: 10.0.0.5:80 }\n"),
                                Firewall.OPEN,
                                LAN)
                        .texts())
                .isEmpty();
    }

    @Test
    void aSiteWithoutTheLoginWallIsExposedAndTheWallGuardsIt() throws Exception {
        Exposure open = Exposure.of(
                parse("  - { name: wiki, kind: http, host: wiki.example.net, target: 10.0.0.5:80 }\n"),
                Firewall.OPEN,
                LAN);
        assertThat(open.listen()).isEqualTo("https://wiki.example.net");
        assertThat(open.texts())
                .containsExactly(
                        "the web site wiki.example.net is reachable from anywhere with no protection: anyone on"
                                + " the internet can try it");
        assertThat(open.warnings().get(0).fixes()).extracting(Exposure.Fix::id).contains("require-login");
        Exposure passthrough = Exposure.of(
                parse("  - { name: nas, kind: http, host: nas.example.net, target: 10.0.0.6:443, tls: passthrough }\n"),
                Firewall.OPEN,
                LAN);
        assertThat(passthrough.warnings().get(0).fixes())
                .extracting(Exposure.Fix::id)
                .containsExactly("limit-to-lan");
        assertThat(Exposure.of(
                                parse("  - { name: wiki, kind: http, host: wiki.example.net, target: 10.0.0.5:80,"
                                        + " access: login }\n"),
                                Firewall.OPEN,
                                LAN)
                        .texts())
                .isEmpty();
    }

    @Test
    void sshMovedToAnotherOutsidePortIsStillSsh() throws Exception {
        Exposure e = Exposure.of(
                parse("  - { name: shell, listen: 0.0.0.0:2222, target: 10.0.0.20:22 }\n"), Firewall.OPEN, LAN);
        assertThat(e.service()).isEqualTo("SSH");
        assertThat(e.texts()).contains("no rate limit: password guessing against SSH runs at full speed");
    }
}
