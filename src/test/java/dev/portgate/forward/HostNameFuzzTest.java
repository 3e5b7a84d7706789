package dev.portgate.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * A stranger's Host header or TLS server name: either a name in the one form routing compares (and reading that form
 * again gives the same name), or a {@link BadHost} whose message is printable — nothing else escapes.
 */
class HostNameFuzzTest {

    @FuzzTest(maxDuration = "12s")
    void hostHeaderAndServerName(FuzzedDataProvider data) {
        boolean header = data.consumeBoolean();
        String text = data.consumeRemainingAsString();
        try {
            HostName h = header ? HostName.fromHeader(text) : HostName.fromServerName(text);
            String a = h.ascii();
            assertThat(a.length()).isBetween(1, HostName.MAX_LENGTH);
            assertThat(a.chars()
                            .allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
                    .as(a)
                    .isTrue();
            assertThat(HostName.fromHeader(a)).isEqualTo(h);
            assertThat(HostName.fromServerName(a)).isEqualTo(h);
        } catch (BadHost e) {
            assertThat(e.getMessage().chars().allMatch(c -> c >= 0x20 && c != 0x7f))
                    .as(e.getMessage())
                    .isTrue();
            assertThat(e.getMessage().length()).isLessThan(400);
        }
    }
}
