package dev.portgate.http;

import dev.portgate.forward.HostName;
import io.netty.handler.ssl.SslContext;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The answers to the CA's checks while a certificate is being obtained. http-01: the token the CA asks for under
 * {@code /.well-known/acme-challenge/} on the plain port, and its key authorization. tls-alpn-01: for a name, the
 * TLS context with the validation certificate that a handshake asking for {@code acme-tls/1} gets on the https
 * port. Only what portgate asked for is answered.
 */
final class ChallengeAnswers {

    static final String PREFIX = "/.well-known/acme-challenge/";

    private final Map<String, String> byToken = new ConcurrentHashMap<>();
    private final Map<HostName, SslContext> byName = new ConcurrentHashMap<>();

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

    void putTlsAlpn(HostName name, SslContext context) {
        byName.put(name, context);
    }

    void removeTlsAlpn(HostName name) {
        byName.remove(name);
    }

    /** The validation handshake's context for {@code name}, while its tls-alpn-01 challenge is open. */
    Optional<SslContext> tlsAlpn(HostName name) {
        return name == null ? Optional.empty() : Optional.ofNullable(byName.get(name));
    }
}
