package dev.portgate.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portgate.http.HostRoutes;
import org.junit.jupiter.api.Test;

class HostNameTest {

    @Test
    void aHostHeaderLosesItsPortCaseAndTrailingDot() throws BadHost {
        assertThat(HostName.fromHeader("Demo.Example.NET.:8443")).isEqualTo(HostName.parse("demo.example.net"));
        assertThat(HostName.fromHeader(" blog.example.net ").ascii()).isEqualTo("blog.example.net");
        assertThat(HostName.fromServerName("NAS.example.net").ascii()).isEqualTo("nas.example.net");
    }

    @Test
    void anInternationalNameIsComparedInItsAsciiForm() throws BadHost {
        assertThat(HostName.fromHeader("bücher.example").ascii()).isEqualTo("xn--bcher-kva.example");
        assertThat(HostName.fromHeader("BÜCHER.example")).isEqualTo(HostName.parse("xn--bcher-kva.example"));
    }

    @Test
    void whatCannotNameASiteIsRefusedSayingWhy() {
        assertThatThrownBy(() -> HostName.fromHeader("")).hasMessage("the request names no host");
        assertThatThrownBy(() -> HostName.fromHeader("a..example.net")).hasMessageContaining("empty label");
        assertThatThrownBy(() -> HostName.fromHeader("a.example.net:99999"))
                .hasMessageContaining("port 99999, outside 1-65535");
        assertThatThrownBy(() -> HostName.fromHeader("a.example.net:")).hasMessageContaining("no valid port");
        assertThatThrownBy(() -> HostName.fromHeader("[::1]:443")).hasMessageContaining("IPv6 address");
        assertThatThrownBy(() -> HostName.fromHeader("a:b:c")).hasMessageContaining("more than one ':'");
        assertThatThrownBy(() -> HostName.fromHeader("under_score.example.net"))
                .hasMessageContaining("the character '_'");
        assertThatThrownBy(() -> HostName.fromHeader("*.example.net")).hasMessageContaining("a wildcard");
        assertThatThrownBy(() -> HostName.fromHeader("-a.example.net")).hasMessageContaining("starts or ends with '-'");
        assertThatThrownBy(() -> HostName.fromHeader("evil\r\nX-Injected: 1"))
                .hasMessageContaining("\\u000d\\u000a")
                .hasMessageNotContaining("\r");
        // Found by fuzzing: the JDK's IDNA message ended with the stranger's raw characters.
        assertThatThrownBy(() -> HostName.fromHeader("\u05e2\u0000"))
                .hasMessageContaining("does not conform to the rules for BiDi code points")
                .hasMessageNotContaining("\u0000")
                .hasMessageNotContaining("ParseException");
        assertThatThrownBy(() -> HostName.fromHeader("a".repeat(64) + ".example.net"))
                .hasMessageContaining("a label of 64 characters");
        assertThatThrownBy(() -> HostName.fromHeader(("a".repeat(60) + ".").repeat(5) + "net"))
                .hasMessageContaining("the most is 253");
    }

    @Test
    void aWildcardCoversOneLabelAndAnExactNameWinsOverIt() throws BadHost {
        HostPattern any = HostPattern.parse("*.example.net");
        assertThat(any.matches(HostName.parse("demo.example.net"))).isTrue();
        assertThat(any.matches(HostName.parse("a.demo.example.net"))).isFalse();
        assertThat(any.matches(HostName.parse("example.net"))).isFalse();
        assertThatThrownBy(() -> HostPattern.parse("*.net")).hasMessageContaining("whole top-level domain");
        assertThatThrownBy(() -> HostPattern.parse("a.*.net")).hasMessageContaining("a wildcard");

        HostRoutes<String> routes = new HostRoutes<>();
        assertThat(routes.claim(any, "catch-all")).isEmpty();
        assertThat(routes.claim(HostPattern.parse("demo.example.net"), "demo")).isEmpty();
        assertThat(routes.claim(HostPattern.parse("DEMO.example.net."), "other"))
                .contains("demo");
        assertThat(routes.lookup(HostName.fromHeader("demo.example.net:443"))).contains("demo");
        assertThat(routes.lookup(HostName.fromHeader("blog.example.net"))).contains("catch-all");
        assertThat(routes.lookup(HostName.fromHeader("example.net"))).isEmpty();
        routes.release(HostPattern.parse("demo.example.net"), "someone-else");
        assertThat(routes.lookup(HostName.parse("demo.example.net"))).contains("demo");
        routes.release(HostPattern.parse("demo.example.net"), "demo");
        assertThat(routes.lookup(HostName.parse("demo.example.net"))).contains("catch-all");
    }
}
