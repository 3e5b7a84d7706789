package dev.portgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portgate.config.ConfigFile;
import dev.portgate.forward.Cidr;
import dev.portgate.forward.Forward;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExposureTest {

    private static Forward parse(String entry) throws Exception {
        return ConfigFile.parse("forwards:\n" + entry, "pg.yaml").forwards().get(0);
    }

    @Test
    void anRdpPortOpenToAnyoneIsAWarningAndEachGuardRemovesIt() throws Exception {
        Forward open = parse("  - { name: rdp, listen: 0.0.0.0:3389, target: 10.0.0.20:3389 }\n");
        Exposure e = Exposure.of(open, Firewall.OPEN);
        assertThat(e.reach()).isEqualTo("anyone");
        assertThat(e.service()).isEqualTo("RDP");
        assertThat(e.guarded()).isFalse();
        assertThat(e.warnings())
                .containsExactly(
                        "RDP is reachable from anywhere without protection — add allow:, or access: knock/login, or client certificates",
                        "no rate-limit: password guessing against RDP runs at full speed");

        assertThat(Exposure.of(
                                parse(
                                        "  - { name: rdp, listen: 0.0.0.0:3389, target: 10.0.0.20:3389, access: login }\n"),
                                Firewall.OPEN)
                        .warnings())
                .isEmpty();
        assertThat(Exposure.of(
                                parse(
                                        "  - { name: rdp, listen: 0.0.0.0:3389, target: 10.0.0.20:3389, allow: [ 10.0.0.0/8 ] }\n"),
                                Firewall.OPEN)
                        .reach())
                .isEqualTo("allow-listed sources");
        assertThat(Exposure.of(open, new Firewall(List.of(Cidr.parse("10.0.0.0/8")), List.of()))
                        .warnings())
                .isEmpty();
        assertThat(Exposure.of(
                                parse("  - { name: rdp, listen: 127.0.0.1:3389, target: 10.0.0.20:3389 }\n"),
                                Firewall.OPEN)
                        .reach())
                .isEqualTo("this machine only");
        assertThat(Exposure.of(parse("  - { name: web, listen: 0.0.0.0:8080, target: 10.0.0.5:80 }\n"), Firewall.OPEN)
                        .warnings())
                .isEmpty();
    }
}
