package dev.portgate.forward;

import java.util.Objects;

/**
 * The client session a site's requests go back through, when the site was asked for by a client rather than
 * configured: an {@code ssh -R name:80:…} on portgate's SSH server, or a tunnel client's {@code host:} forward.
 */
public sealed interface SiteSession {

    /** The session's id in its server (the SSH server's or the tunnel server's). */
    String id();

    /** Sites that may hold one name together, their load shared. */
    String shareKey(Origin origin);

    /** An SSH session; the sessions of one user share a name. */
    record Ssh(String id) implements SiteSession {
        public Ssh {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String shareKey(Origin origin) {
            String owner = origin.owner();
            int at = owner.lastIndexOf('@');
            return "ssh:" + (at < 0 ? owner : owner.substring(0, at));
        }
    }

    /**
     * A tunnel client's session and the id of its request (its arrivals carry it). Any tunnel clients the server
     * lets serve one name share it: permit-hosts already says each of them may.
     */
    record Tunnel(String id, int request) implements SiteSession {
        public Tunnel {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String shareKey(Origin origin) {
            return "tunnel";
        }
    }
}
