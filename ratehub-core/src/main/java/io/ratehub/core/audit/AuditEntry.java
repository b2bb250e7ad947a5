package io.ratehub.core.audit;

import java.time.Instant;
import java.util.Map;

/**
 * One entry of the audit trail as stored: an {@link AuditRecord} with the sequence number the log gave it and
 * the SHA-256 hash that chains it to the entry before.
 *
 * <p>{@code hash = SHA-256(previous entry's hash || this entry's JSON line up to the hash field)}, written as
 * lower-case hex; the first entry chains to 64 zeros. Editing, removing or reordering any entry therefore breaks
 * every hash after it. Immutable and thread-safe.
 *
 * @param seq the entry's position, 1 for the first entry, without gaps
 * @param time when the decision was made
 * @param actor who made it
 * @param action what was decided
 * @param storeId the store concerned, or {@code null}
 * @param pair the pair concerned, or {@code null}
 * @param before values before the decision
 * @param after values after the decision
 * @param reason the reason given, or {@code null}
 * @param hash the chained hash, 64 hex digits
 */
public record AuditEntry(long seq, Instant time, String actor, String action, String storeId, String pair,
                         Map<String, String> before, Map<String, String> after, String reason, String hash) {

    /** The hash the first entry chains to: 64 zeros. */
    public static final String GENESIS_HASH = "0".repeat(64);

    /** Copies the maps into sorted, unmodifiable maps (iteration in key order). */
    public AuditEntry {
        before = AuditRecord.sorted("before", before);
        after = AuditRecord.sorted("after", after);
    }
}
