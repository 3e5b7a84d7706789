package dev.portgate.config;

import dev.portgate.forward.Durations;
import dev.portgate.forward.Protection;
import dev.portgate.policy.KnockPacket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The protection keys every kind shares: access, knock-key, open-for, close-when-idle, rate-limit, bandwidth, TLS. */
final class ProtectionDecoder {

    static final List<String> KEYS = List.of(
            "access",
            "knock-key",
            "open-for",
            "close-when-idle",
            "rate-limit",
            "bandwidth",
            "tls-certificate",
            "tls-key",
            "tls-client-ca",
            "target-tls",
            "target-ca");
    static final String HINT = String.join(", ", KEYS);

    private ProtectionDecoder() {}

    static Set<String> with(Set<String> keys) {
        Set<String> all = new HashSet<>(keys);
        all.addAll(KEYS);
        return Set.copyOf(all);
    }

    static Protection decode(Fields f) {
        Protection.Access access = f.parsed("access", Protection.Access::parse).orElse(Protection.Access.OPEN);
        Path knockKey = f.parsed("knock-key", ProtectionDecoder::keyFile).orElse(null);
        Duration openFor = f.parsed("open-for", Durations::parse).orElse(Protection.DEFAULT_OPEN_FOR);
        Duration idle = f.parsed("close-when-idle", Durations::parse).orElse(Duration.ZERO);
        Protection.RateLimit rate =
                f.parsed("rate-limit", Protection.RateLimit::parse).orElse(null);
        long bandwidth = f.parsed("bandwidth", Protection::parseBandwidth).orElse(0L);
        Path certificate =
                f.parsed("tls-certificate", ProtectionDecoder::readable).orElse(null);
        Path key = f.parsed("tls-key", ProtectionDecoder::readable).orElse(null);
        Path clientCa = f.parsed("tls-client-ca", ProtectionDecoder::readable).orElse(null);
        boolean targetTls = f.parsed("target-tls", Fields::parseBoolean).orElse(false);
        Path targetCa = f.parsed("target-ca", ProtectionDecoder::readable).orElse(null);
        if (access == Protection.Access.KNOCK && knockKey == null && !f.has("knock-key")) {
            f.problem("access", "access: knock needs knock-key: FILE — make one with: portgate knock-key FILE");
        }
        if (access.gated() && openFor.isZero()) {
            f.problem("open-for", "open-for must be above 0 — it is how long a knock or login opens the door");
        }
        if ((certificate == null) != (key == null) && f.has("tls-certificate") != f.has("tls-key")) {
            f.problem(
                    certificate == null ? "tls-certificate" : "tls-key",
                    "tls-certificate and tls-key go together — give both, or neither for a self-signed certificate");
        }
        boolean tlsKeys = f.has("tls-certificate") || f.has("tls-key") || f.has("tls-client-ca");
        if (tlsKeys && access != Protection.Access.TLS) {
            f.problem("access", "tls-certificate, tls-key and tls-client-ca need access: tls");
        }
        if (targetCa != null && !targetTls) {
            f.problem("target-ca", "target-ca needs target-tls: true");
        }
        Protection.Tls tls = access == Protection.Access.TLS ? new Protection.Tls(certificate, key, clientCa) : null;
        return new Protection(access, knockKey, openFor, idle, rate, bandwidth, tls, targetTls, targetCa);
    }

    static Path readable(String s) {
        Path p = Path.of(s.strip().replaceFirst("^~", System.getProperty("user.home")));
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException(p + " cannot be read");
        }
        return p;
    }

    private static Path keyFile(String s) {
        Path p = readable(s);
        try {
            KnockPacket.readKey(p);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return p;
    }
}
