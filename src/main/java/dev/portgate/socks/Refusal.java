package dev.portgate.socks;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import java.net.UnknownHostException;
import java.util.Locale;

/** Why a proxy request failed, with the SOCKS5 reply code (RFC 1928) and the HTTP status that say the same. */
@SuppressWarnings("ImmutableEnumChecker") // Netty's status constants are immutable values
enum Refusal {
    GENERAL(Socks5CommandStatus.FAILURE, 502, "Bad Gateway"),
    FORBIDDEN(Socks5CommandStatus.FORBIDDEN, 403, "Forbidden"),
    NETWORK_UNREACHABLE(Socks5CommandStatus.NETWORK_UNREACHABLE, 502, "Bad Gateway"),
    HOST_UNREACHABLE(Socks5CommandStatus.HOST_UNREACHABLE, 502, "Bad Gateway"),
    REFUSED(Socks5CommandStatus.CONNECTION_REFUSED, 502, "Bad Gateway"),
    TIMEOUT(Socks5CommandStatus.TTL_EXPIRED, 504, "Gateway Timeout"),
    COMMAND_UNSUPPORTED(Socks5CommandStatus.COMMAND_UNSUPPORTED, 405, "Method Not Allowed"),
    ADDRESS_UNSUPPORTED(Socks5CommandStatus.ADDRESS_UNSUPPORTED, 400, "Bad Request");

    final Socks5CommandStatus socks5;
    final int http;
    final String httpReason;

    Refusal(Socks5CommandStatus socks5, int http, String httpReason) {
        this.socks5 = socks5;
        this.http = http;
        this.httpReason = httpReason;
    }

    /** What a failed dial means, from the OS's error. */
    static Refusal of(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        if (t instanceof ConnectTimeoutException || m.contains("timed out")) {
            return TIMEOUT;
        }
        if (m.contains("refused")) {
            return REFUSED;
        }
        if (m.contains("network is unreachable")) {
            return NETWORK_UNREACHABLE;
        }
        if (m.contains("no route") || m.contains("host is unreachable") || t instanceof UnknownHostException) {
            return HOST_UNREACHABLE;
        }
        return GENERAL;
    }
}
