package dev.portgate.igd;

/** What became of a lease request: mapped (maybe on another port than asked), or refused and why. */
public sealed interface LeaseOutcome {

    record Mapped(Lease lease, long lifetimeSeconds) implements LeaseOutcome {}

    record Refused(Reason reason, String message) implements LeaseOutcome {}

    /** Each protocol turns these into its own code (UPnP 606/718/728…, NAT-PMP 2/4, PCP results). */
    enum Reason {
        /** A permission line, or the service being switched off, forbids it. */
        NOT_PERMITTED,
        /** Secure mode: a device may map only onto itself; or the mapping belongs to another device/nonce. */
        NOT_OWNER,
        /** The external port is held by another forward or device. */
        CONFLICT,
        /** The device has as many leases as it may. */
        QUOTA,
        /** No external port could be found or bound. */
        NO_PORT,
        /** There is no such mapping. */
        NOT_FOUND,
        /** The request itself is not acceptable (a port 0 where one is needed, a bad address). */
        INVALID
    }
}
