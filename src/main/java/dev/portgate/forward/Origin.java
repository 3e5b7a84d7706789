package dev.portgate.forward;

import java.util.Locale;
import java.util.Objects;

/**
 * Who owns a forward. Each writer of desired state (config file, console, API, UPnP lease,
 * trigger, SSH session) replaces only its own forwards, so the owner travels with the rule.
 */
public record Origin(Kind kind, String owner) {

    public enum Kind {
        CONFIG,
        API,
        UPNP,
        NATPMP,
        PCP,
        TRIGGER,
        SSH,
        TUNNEL;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Kept in the store across restarts; config forwards live in their file, SSH and tunnel ones die with the session. */
        public boolean persistent() {
            return this != CONFIG && this != SSH && this != TUNNEL;
        }

        /** A forward of an SSH or tunnel session: it lives on the node that holds the session, never shared. */
        public boolean sessionScoped() {
            return this == SSH || this == TUNNEL;
        }

        public static Kind parse(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    public Origin {
        Objects.requireNonNull(kind, "kind");
        owner = owner == null ? "" : owner;
    }

    public static Origin config(String path) {
        return new Origin(Kind.CONFIG, path);
    }

    @Override
    public String toString() {
        return owner.isEmpty() ? kind.label() : kind.label() + " " + owner;
    }
}
