package dev.portgate.http;

/**
 * How the CA checks that this gateway answers for a name: a request to the plain port (http-01) or a TLS handshake
 * on the https port that asks for the {@code acme-tls/1} protocol (tls-alpn-01, RFC 8737), for when port 80 is
 * closed.
 */
public enum AcmeChallenge {
    HTTP_01("http-01"),
    TLS_ALPN_01("tls-alpn-01");

    private final String label;

    AcmeChallenge(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static AcmeChallenge parse(String text) {
        for (AcmeChallenge c : values()) {
            if (c.label.equals(text.strip())) {
                return c;
            }
        }
        throw new IllegalArgumentException("\"" + text + "\" is not a challenge — use http-01 or tls-alpn-01");
    }
}
