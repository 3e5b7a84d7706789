package dev.portgate.socks;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** The HTTP proxy's request head, as any client sends it: refused with a reason, or passed on re-parsable and unambiguous. */
class HttpHeadFuzzTest {

    @FuzzTest(maxDuration = "12s")
    void requestHead(FuzzedDataProvider data) {
        String path = data.consumeString(64);
        String text = data.consumeRemainingAsString();
        HttpHead head;
        try {
            head = HttpHead.parse(text);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        if (path.contains("\r") || path.contains("\n") || path.contains(" ") || path.isEmpty()) {
            return; // the handler gives forOrigin the URL's raw path, which has none of these
        }
        String forOrigin = head.forOrigin(path);
        assertThat(forOrigin).endsWith("\r\n\r\n");
        // What goes to the origin is one head it reads the same way: it parses again, to the same request line.
        HttpHead again = HttpHead.parse(forOrigin.substring(0, forOrigin.length() - 4));
        assertThat(again.method()).isEqualTo(head.method());
        assertThat(again.target()).isEqualTo(path);
        assertThat(again.header("Content-Length") != null && again.header("Transfer-Encoding") != null)
                .isFalse();
    }
}
