package dev.portgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portgate.config.ForwardJson;
import dev.portgate.config.Problems;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import java.util.Optional;

/** REST bodies, before and after login: a 4xx naming the fault, or a forward that encodes and decodes to itself. */
class JsonBodyFuzzTest {

    @FuzzTest(maxDuration = "12s")
    void forwardBody(FuzzedDataProvider data) {
        byte[] body = data.consumeRemainingAsBytes();
        JsonNode json;
        try {
            json = Bodies.parse(body);
        } catch (ApiException e) {
            assertThat(e.status()).isBetween(400, 499);
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(json.isObject()).isTrue();
        Origin api = new Origin(Origin.Kind.API, "");
        Problems problems = new Problems("body");
        Optional<Forward> forward = ForwardJson.decode(json, api, problems);
        if (forward.isEmpty()) {
            assertThat(problems.list()).isNotEmpty();
            return;
        }
        // A forward comes back only from a clean body: a mistyped key must not be dropped silently.
        assertThat(problems.list()).isEmpty();
        Problems again = new Problems("body");
        assertThat(ForwardJson.decode(ForwardJson.encode(forward.get()), api, again))
                .as("round trip; problems: %s", again.list())
                .contains(forward.get());
    }
}
