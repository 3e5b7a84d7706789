package dev.portgate.igd;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/** SSDP M-SEARCH heads and GENA SUBSCRIBE headers, as any LAN device may send them. */
class UpnpHeadersFuzzTest {

    @FuzzTest(maxDuration = "12s")
    void ssdpSearch(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        Map<String, String> headers = Ssdp.headers(text);
        assertThat(headers.size()).isLessThan(64);
        headers.forEach((k, v) -> {
            assertThat(k).isEqualTo(k.strip().toLowerCase(Locale.ROOT)).isNotEmpty();
            assertThat(v).isEqualTo(v.strip());
        });
    }

    @FuzzTest(maxDuration = "12s")
    void genaSubscribe(FuzzedDataProvider data) {
        Duration timeout = Gena.timeout(data.consumeBoolean() ? null : data.consumeString(40));
        assertThat(timeout).isBetween(Duration.ofSeconds(60), Duration.ofDays(1));
        URI callback = Gena.callbackUri(data.consumeRemainingAsString());
        if (callback != null) {
            // Only an http URL with a host is ever a callback: nothing else is dialled.
            assertThat(callback.getScheme()).isEqualTo("http");
            assertThat(callback.getHost()).isNotNull();
        }
    }
}
