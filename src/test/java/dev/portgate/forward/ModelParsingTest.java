package dev.portgate.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ModelParsingTest {

    @Test
    void portRanges() {
        assertThat(PortRange.parse("8080")).isEqualTo(PortRange.of(8080));
        assertThat(PortRange.parse("8000-8100").size()).isEqualTo(101);
        assertThat(new PortRange(27015, 27020).mapFrom(new PortRange(7015, 7020), 7017))
                .isEqualTo(27017);
        assertThat(PortRange.of(80).mapFrom(new PortRange(7015, 7020), 7017)).isEqualTo(80);
        assertThat(new PortRange(10, 20).overlaps(new PortRange(20, 30))).isTrue();
        assertThat(new PortRange(10, 20).overlaps(new PortRange(21, 30))).isFalse();
        assertThatThrownBy(() -> PortRange.parse("65536")).hasMessage("port 65536 is out of range — use 1-65535");
        assertThatThrownBy(() -> PortRange.parse("")).hasMessage("\"\" is not a port number — use 1-65535");
    }

    @Test
    void cidrsMatchBothFamiliesAndMappedAddresses() throws Exception {
        Cidr lan = Cidr.parse("192.168.0.0/16");
        assertThat(lan.contains(InetAddress.getByName("192.168.44.3"))).isTrue();
        assertThat(lan.contains(InetAddress.getByName("192.169.0.1"))).isFalse();
        assertThat(lan.contains(InetAddress.getByName("::ffff:192.168.1.1"))).isTrue();
        assertThat(lan.contains(InetAddress.getByName("2001:db8::1"))).isFalse();
        Cidr v6 = Cidr.parse("2001:db8::/32");
        assertThat(v6.contains(InetAddress.getByName("2001:db8:ffff::1"))).isTrue();
        assertThat(v6.toString()).isEqualTo("2001:db8::/32");
        assertThat(Cidr.parse("10.1.2.3/8").toString()).isEqualTo("10.0.0.0/8");
        assertThat(Cidr.parse("127.0.0.1").contains(InetAddress.getByName("127.0.0.1")))
                .isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("8.8.8.8")))
                .isTrue();
        assertThat(Cidr.parse("10.0.0.0/12").contains(InetAddress.getByName("10.15.255.255")))
                .isTrue();
        assertThat(Cidr.parse("10.0.0.0/12").contains(InetAddress.getByName("10.16.0.0")))
                .isFalse();
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x"))
                .hasMessage("\"10.0.0.0/x\" has no valid prefix length — use /0 to /32");
    }

    @Test
    void listenAndTargetSpecs() {
        assertThat(ListenSpec.parse("8080").toString()).isEqualTo("0.0.0.0:8080");
        assertThat(ListenSpec.parse("[::1]:8000-8100").toString()).isEqualTo("[::1]:8000-8100");
        assertThat(ListenSpec.parse("[::]:80").isWildcard()).isTrue();
        assertThat(ListenSpec.parse("[::]:80").overlaps(ListenSpec.parse("127.0.0.1:80")))
                .isTrue();
        assertThat(ListenSpec.parse("127.0.0.2:80").overlaps(ListenSpec.parse("127.0.0.1:80")))
                .isFalse();
        assertThat(TargetSpec.parse("db.lan:5432").host()).isEqualTo("db.lan");
        assertThat(TargetSpec.parse("[2001:db8::1]:80").toString()).isEqualTo("[2001:db8::1]:80");
        assertThatThrownBy(() -> ListenSpec.parse("example.com:80")).hasMessageContaining("is not an IP address");
        assertThatThrownBy(() -> TargetSpec.parse("-bad-:80"))
                .hasMessageContaining("neither an IP address nor a host name");
    }

    @Test
    void anAddressWithANumberOver255IsAMistypedIpNotAHostName() {
        assertThatThrownBy(() -> TargetSpec.parse("192.168.1.300:80"))
                .hasMessage(
                        "\"192.168.1.300\" is not an IP address: 300 is over 255 (each of the four numbers is 0-255)");
        assertThatThrownBy(() -> TargetSpec.parse("192.168.1:80"))
                .hasMessageContaining("an IPv4 address is four numbers 0-255");
        assertThat(TargetSpec.parse("192.168.1.30:80").host()).isEqualTo("192.168.1.30");
        assertThat(TargetSpec.parse("nas1.lan:80").host()).isEqualTo("nas1.lan");
    }

    @Test
    void durations() {
        assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThatThrownBy(() -> Durations.parse("10 minutes")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Durations.parse("")).hasMessageContaining("is not a duration");
    }
}
