package dev.portgate.tunnel;

import dev.portgate.forward.Destination;
import dev.portgate.forward.HostName;
import dev.portgate.forward.HostPattern;
import dev.portgate.forward.ListenSpec;
import dev.portgate.forward.Protocol;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code tunnel-server:}: where portgate takes tunnel clients (QUIC on UDP), its certificate ({@code keyStore}
 * null: self-signed, made on first start) and the clients it knows.
 */
public record TunnelServerConfig(ListenSpec listen, Path keyStore, String keyStorePassword, List<Client> clients) {

    public TunnelServerConfig {
        clients = List.copyOf(clients);
    }

    /**
     * A client: its name, its token's hash, the public ports it may open and where its {@code kind: local} and
     * {@code dynamic} forwards may connect from the server (nothing unless listed, as for SSH users).
     */
    public record Client(
            String name,
            String tokenHash,
            List<Permit> permitListen,
            List<Destination> permitOpen,
            List<String> certificates,
            List<HostPattern> permitHosts) {
        /** {@code tokenHash} may be null for a client known only by its {@code certificates} (SHA-256, hex). */
        public Client {
            permitListen = List.copyOf(permitListen);
            permitOpen = List.copyOf(permitOpen);
            certificates = List.copyOf(certificates);
            permitHosts = permitHosts == null ? List.of() : List.copyOf(permitHosts);
        }

        public Client(String name, String tokenHash, List<Permit> permitListen) {
            this(name, tokenHash, permitListen, List.of(), List.of(), List.of());
        }

        /** Whether this client may serve a site under {@code name} (permit-hosts). */
        public boolean mayServe(HostName name) {
            return permitHosts.stream().anyMatch(p -> p.matches(name));
        }

        /** Whether this client showed one of its certificates, or said its token. */
        boolean knows(String certificate, String token) {
            if (certificate != null && certificates.contains(certificate)) {
                return true;
            }
            return tokenHash != null && TunnelTokens.matches(token, tokenHash);
        }

        /** The permit that covers all of {@code listen} for every protocol asked, if any. */
        public Optional<Permit> permits(ListenSpec listen, Set<Protocol> protocols) {
            return permitListen.stream()
                    .filter(p -> p.protocols().containsAll(protocols))
                    .filter(p -> p.listen().isWildcard() || p.listen().address().equals(listen.address()))
                    .filter(p -> listen.ports().first() >= p.listen().ports().first()
                            && listen.ports().last() <= p.listen().ports().last())
                    .findFirst();
        }
    }

    /** One permit-listen entry: {@code [tcp/|udp/]address:port[-port]}; without a protocol, both. */
    public record Permit(Set<Protocol> protocols, ListenSpec listen) {

        public static Permit parse(String text) {
            String s = text.strip();
            Set<Protocol> protocols = Set.of(Protocol.TCP, Protocol.UDP);
            int slash = s.indexOf('/');
            if (slash > 0 && s.substring(0, slash).matches("[A-Za-z+]+")) {
                protocols = Protocol.parseSet(s.substring(0, slash));
                s = s.substring(slash + 1);
            }
            return new Permit(protocols, ListenSpec.parse(s));
        }

        @Override
        public String toString() {
            return (protocols.size() == 2 ? "" : Protocol.label(protocols) + "/") + listen;
        }
    }

    public Optional<Client> client(String name) {
        return clients.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
