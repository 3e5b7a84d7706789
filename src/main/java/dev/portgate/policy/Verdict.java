package dev.portgate.policy;

/** The policy's answer for one new connection or datagram session. */
public sealed interface Verdict {

    Verdict ADMIT = new Admit();

    record Admit() implements Verdict {}

    /** Refused, with the reason for counters and a detail for the log. */
    record Refuse(Reason reason, String detail) implements Verdict {}

    enum Reason {
        /** The firewall or the forward's allow/deny lists. */
        DENIED,
        /** max-connections. */
        LIMIT,
        /** The source is banned for failing authentication. */
        BANNED,
        /** A knock or login door that is not open for this source. */
        CLOSED,
        /** rate-limit. */
        RATE
    }
}
