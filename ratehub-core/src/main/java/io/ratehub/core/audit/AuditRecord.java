package io.ratehub.core.audit;

import io.ratehub.core.internal.Require;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A decision to be written to the audit trail, before the log gives it a sequence number and a hash.
 *
 * <p>{@code before} and {@code after} hold the changed values as text (prices as plain decimal strings), keyed
 * by field name; they are copied into sorted, unmodifiable maps so that their JSON form is deterministic.
 * Immutable and thread-safe.
 *
 * @param time when the decision was made (from the engine's clock)
 * @param actor who made it ({@code "system"} for expiries and other automatic decisions)
 * @param action what was decided, a stable dotted name such as {@code override.set} or {@code lock.completed}
 * @param storeId the store concerned, or {@code null}
 * @param pair the pair concerned as {@code BASE/QUOTE}, or {@code null}
 * @param before the values before the decision (empty when there were none)
 * @param after the values after the decision (empty when removed)
 * @param reason the reason given, or {@code null}
 */
public record AuditRecord(Instant time, String actor, String action, String storeId, String pair,
                          Map<String, String> before, Map<String, String> after, String reason) {

    /** Validates the required fields and copies the maps. */
    public AuditRecord {
        Require.notNull("time", time);
        Require.text("actor", actor);
        Require.text("action", action);
        before = sorted(before);
        after = sorted(after);
    }

    private static Map<String, String> sorted(Map<String, String> values) {
        return values == null || values.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(values));
    }
}
