package dev.portgate.igd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;

/** SOAP control bodies come from any LAN device: only UpnpError may come out, and what we answer is well-formed XML. */
class SoapFuzzTest {

    @FuzzTest(maxDuration = "12s")
    void controlBody(FuzzedDataProvider data) throws Exception {
        String action = data.consumeBoolean() ? null : data.consumeString(120);
        byte[] body = data.consumeRemainingAsBytes();
        Soap.Call call;
        try {
            call = Soap.parse(body, action);
        } catch (UpnpError e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(call.action()).isNotEmpty();
        String echoed = call.args().values().stream().findFirst().orElse("");
        String answer = Soap.response(call, Map.of("NewExternalIPAddress", echoed));
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        assertThatCode(() ->
                        f.newDocumentBuilder().parse(new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8))))
                .as("our answer is well-formed")
                .doesNotThrowAnyException();
    }
}
