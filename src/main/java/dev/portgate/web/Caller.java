package dev.portgate.web;

import dev.portgate.rules.Actor;

/** Who is calling the API: a console user with a session (an admin, or a door user), or an API token. */
record Caller(String name, boolean viaSession, String sessionId, String address, boolean doorOnly) {

    Caller(String name, boolean viaSession, String sessionId, String address) {
        this(name, viaSession, sessionId, address, false);
    }

    Actor actor() {
        return new Actor(viaSession ? name : "token " + name, address);
    }
}
