package dev.portgate.http;

import dev.portgate.forward.HostName;
import io.netty.handler.ssl.SslContext;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The answers to the CA's checks while a certificate is being obtained. http-01: the token the CA asks for under
 * {@code /.well-known/acme-challenge/} on the plain port, and its key authorization. tls-alpn-01: for a name, the
 * TLS context with the validation certificate that a handshake asking for {@code acme-tls/1} gets on the https
 * port. Only what portgate asked for is answered.
 */
final class ChallengeAnswers {

    static final String PREFIX = "/.well-known/acme-challenge/";
    /** What a CA's token looks like: base64url, 128 bits or more (RFC 8555 §8.3). */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{22,256}");

    private final Map<String, String> byToken = new ConcurrentHashMap<>();
    private final Map<HostName, SslContext> byName = new ConcurrentHashMap<>();
    /**
     * In a cluster, the thumbprint of the account key all nodes share: any node answers any token (token.thumbprint,
     * what RFC 8555 asks), so the CA may reach whichever node the name leads to, not only the one that ordered.
     */
    private volatile String accountThumbprint;

    /** In a cluster, where tls-alpn-01 checks are put for the other nodes and found from them; null alone. */
    private volatile TlsAlpnShelf tlsAlpnShelf;

    void answerEveryToken(String thumbprint) {
        this.accountThumbprint = thumbprint;
    }

    void shareTlsAlpn(TlsAlpnShelf shelf) {
        this.tlsAlpnShelf = shelf;
    }

    /** Where this node's tls-alpn-01 checks go for the other nodes, and theirs come from; null alone. */
    TlsAlpnShelf tlsAlpnShelf() {
        return tlsAlpnShelf;
    }

    void put(String token, String keyAuthorization) {
        byToken.put(token, keyAuthorization);
    }

    void remove(String token) {
        byToken.remove(token);
    }

    /** The answer for a request path, if it asks for a token we hold. */
    Optional<String> answer(String uri) {
        if (!uri.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String token = uri.substring(PREFIX.length());
        String known = byToken.get(token);
        if (known != null) {
            return Optional.of(known);
        }
        String thumbprint = accountThumbprint;
        return thumbprint != null && TOKEN.matcher(token).matches()
                ? Optional.of(token + "." + thumbprint)
                : Optional.empty();
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
