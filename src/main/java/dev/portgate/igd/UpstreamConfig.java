package dev.portgate.igd;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The {@code upstream:} section: which forwards' listen ports to open on the router above, and how
 * to reach it. {@code gateway} (NAT-PMP/PCP) and {@code url} (UPnP) are discovered when absent;
 * every {@code checkInterval} the router is asked whether it still holds the mappings (a restarted
 * router forgets them).
 */
public record UpstreamConfig(
        List<String> map, Method method, InetAddress gateway, URI url, Duration lifetime, Duration checkInterval) {

    public enum Method {
        AUTO,
        UPNP,
        NAT_PMP,
        PCP;

        public static Method parse(String s) {
            return switch (s.strip()) {
                case "auto" -> AUTO;
                case "upnp" -> UPNP;
                case "nat-pmp", "natpmp" -> NAT_PMP;
                case "pcp" -> PCP;
                default -> throw new IllegalArgumentException(
                        "\"" + s + "\" is not a method — use upnp, nat-pmp, pcp or auto");
            };
        }

        public String label() {
            return switch (this) {
                case AUTO -> "auto";
                case UPNP -> "upnp";
                case NAT_PMP -> "nat-pmp";
                case PCP -> "pcp";
            };
        }
    }

    public UpstreamConfig {
        map = List.copyOf(map);
    }
}
