package dev.portgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;

/**
 * What a visitor sends the login wall: Cookie headers (the wall's cookie is taken, the site's kept, never leaked
 * to the site) and the sign-in form's return path (only ever a path on the same site).
 */
class SiteCookiesFuzzTest {

    @FuzzTest(maxDuration = "12s")
    void cookieHeadersAndReturnPaths(FuzzedDataProvider data) {
        String back = data.consumeString(300);
        String local = SiteCookies.localPath(back);
        assertThat(local).startsWith("/").doesNotStartWith("//").doesNotContain("\\");
        assertThat(local.chars().allMatch(c -> c > 0x20 && c != 0x7f)).as(local).isTrue();

        HttpHeaders h = new DefaultHttpHeaders(false);
        int n = data.consumeInt(0, 3);
        for (int i = 0; i < n; i++) {
            h.add(HttpHeaderNames.COOKIE, data.consumeString(200));
        }
        h.add(HttpHeaderNames.COOKIE, SiteLogins.COOKIE + "=" + data.consumeRemainingAsAsciiString());
        SiteCookies.take(h, SiteLogins.COOKIE, false);
        // What goes on to the site: no cookie of the wall's name, however the site's own cookies read.
        for (String left : h.getAll(HttpHeaderNames.COOKIE)) {
            assertThat(ServerCookieDecoder.LAX.decodeAll(left))
                    .extracting(Cookie::name)
                    .doesNotContain(SiteLogins.COOKIE);
        }
    }
}
