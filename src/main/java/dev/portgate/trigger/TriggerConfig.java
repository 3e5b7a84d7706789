package dev.portgate.trigger;

import dev.portgate.forward.PortRange;
import dev.portgate.forward.Protocol;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * One {@code triggers:} entry: outbound traffic to {@code trigger} ports opens the {@code open} ports
 * inbound to the device that sent it, for {@code openFor} after its last trigger traffic.
 */
public record TriggerConfig(String name, Ports trigger, List<Ports> open, Duration openFor, InetAddress listenAddress) {

    /** {@code tcp/6667} or {@code udp/6881-6889}. */
    public record Ports(Protocol protocol, PortRange range) {

        public static Ports parse(String text) {
            String s = text.strip();
            int slash = s.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException(
                        "\"" + s + "\" has no protocol — write it like tcp/6667 or udp/6881-6889");
            }
            Protocol p =
                    switch (s.substring(0, slash)) {
                        case "tcp" -> Protocol.TCP;
                        case "udp" -> Protocol.UDP;
                        default -> throw new IllegalArgumentException("\"" + s + "\": the protocol is tcp or udp");
                    };
            return new Ports(p, PortRange.parse(s.substring(slash + 1)));
        }

        public boolean matches(Protocol protocol, int port) {
            return this.protocol == protocol && port >= range.first() && port <= range.last();
        }

        @Override
        public String toString() {
            return protocol.name().toLowerCase(Locale.ROOT) + "/" + range;
        }
    }

    public TriggerConfig {
        open = List.copyOf(open);
    }
}
