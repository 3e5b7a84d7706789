package dev.portgate.store;

import java.time.Instant;

/**
 * One line of the audit log; before/after are a forward's JSON where the entry is about one; node is the node that
 * wrote it ("" on a single gateway).
 */
public record AuditEntry(
        long id,
        Instant at,
        String actor,
        String source,
        String action,
        String subject,
        String before,
        String after,
        String detail,
        String node) {}
