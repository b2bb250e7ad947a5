package io.ratehub.core.audit;

import io.ratehub.core.ValidationException;
import java.time.Instant;

/**
 * A filter over the audit trail. Every criterion is optional ({@code null} matches everything); given criteria
 * must all match. The time range is {@code from <= time < until}. Results come in sequence order, at most
 * {@link #limit()} of them.
 *
 * <p>Immutable and thread-safe. Build one with {@link #all()} and the {@code with...} methods.
 *
 * @param storeId only entries of this store
 * @param pair only entries of this pair ({@code BASE/QUOTE})
 * @param actor only entries by this actor
 * @param from only entries at or after this time
 * @param until only entries before this time
 * @param limit the most entries returned, > 0
 */
public record AuditQuery(String storeId, String pair, String actor, Instant from, Instant until, int limit) {
    /** The limit of {@link #all()}: 10,000 entries. */
    public static final int DEFAULT_LIMIT = 10_000;

    /** Validates the limit and the time range. */
    public AuditQuery {
        if (limit <= 0) {
            throw new ValidationException("limit", limit, "must be > 0");
        }
        if (from != null && until != null && until.isBefore(from)) {
            throw new ValidationException("until", until, "must not be before from " + from);
        }
    }

    /** Matches every entry, up to {@link #DEFAULT_LIMIT}. */
    public static AuditQuery all() {
        return new AuditQuery(null, null, null, null, null, DEFAULT_LIMIT);
    }

    /** This query restricted to one store. */
    public AuditQuery withStore(String store) {
        return new AuditQuery(store, pair, actor, from, until, limit);
    }

    /** This query restricted to one pair, as {@code BASE/QUOTE}. */
    public AuditQuery withPair(String p) {
        return new AuditQuery(storeId, p, actor, from, until, limit);
    }

    /** This query restricted to one actor. */
    public AuditQuery withActor(String a) {
        return new AuditQuery(storeId, pair, a, from, until, limit);
    }

    /** This query restricted to {@code from <= time < until} (either may be {@code null}). */
    public AuditQuery between(Instant f, Instant u) {
        return new AuditQuery(storeId, pair, actor, f, u, limit);
    }

    /** This query with another result limit. */
    public AuditQuery withLimit(int max) {
        return new AuditQuery(storeId, pair, actor, from, until, max);
    }

    /** Whether {@code e} matches every criterion. */
    public boolean matches(AuditEntry e) {
        return (storeId == null || storeId.equals(e.storeId()))
                && (pair == null || pair.equals(e.pair()))
                && (actor == null || actor.equals(e.actor()))
                && (from == null || !e.time().isBefore(from))
                && (until == null || e.time().isBefore(until));
    }
}
