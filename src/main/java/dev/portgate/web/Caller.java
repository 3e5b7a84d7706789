package dev.portgate.web;

import dev.portgate.rules.Actor;

/** Who is calling the API: a console user with a session, or an API token. */
record Caller(String name, boolean viaSession, String sessionId, String address) {

    Actor actor() {
        return new Actor(viaSession ? name : "token " + name, address);
    }
}
