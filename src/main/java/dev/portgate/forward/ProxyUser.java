package dev.portgate.forward;

import java.util.Objects;

/** A user of a proxy: a name and a password hash as {@code portgate hash-password} prints it. */
public record ProxyUser(String name, String passwordHash) {

    public ProxyUser {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(passwordHash, "passwordHash");
    }

    @Override
    public String toString() {
        return name; // never the hash
    }
}
