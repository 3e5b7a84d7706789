package dev.portgate.http;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP-01 answers the plain port gives while a certificate is being obtained: the token the CA asks for under
 * {@code /.well-known/acme-challenge/} and its key authorization. Only tokens portgate asked for are answered.
 */
final class ChallengeAnswers {

    static final String PREFIX = "/.well-known/acme-challenge/";

    private final Map<String, String> byToken = new ConcurrentHashMap<>();

    void put(String token, String keyAuthorization) {
        byToken.put(token, keyAuthorization);
    }

    void remove(String token) {
        byToken.remove(token);
    }

    /** The answer for a request path, if it asks for a token we hold. */
    Optional<String> answer(String uri) {
        if (!uri.startsWith(PREFIX) || byToken.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(byToken.get(uri.substring(PREFIX.length())));
    }
}
