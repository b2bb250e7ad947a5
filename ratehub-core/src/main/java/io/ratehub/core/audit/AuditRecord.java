package io.ratehub.core.audit;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A decision to be written to the audit trail, before the log gives it a sequence number and a hash.
 *
 * <p>{@code before} and {@code after} hold the changed values as text (prices as plain decimal strings), keyed
 * by field name; they are copied into sorted, unmodifiable maps so that their JSON form is deterministic, and may
 * hold no null key or value.
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
        if (storeId != null) {
            Require.id("storeId", storeId);
        }
        if (pair != null) {
            Require.text("pair", pair);
        }
        if (reason != null) {
            Require.text("reason", reason);
        }
        before = sorted("before", before);
        after = sorted("after", after);
    }

    /** A sorted, unmodifiable copy; null keys and values are refused, naming the map and key. */
    static Map<String, String> sorted(String field, Map<String, String> values) {
        if (values == null || values.isEmpty()) {
            return Map.of();
        }
        TreeMap<String, String> copy = new TreeMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getKey() == null) {
                throw new ValidationException(field, values, "must not have a null key");
            }
            if (e.getValue() == null) {
                throw new ValidationException(field + "." + e.getKey(), null, "must not be null");
            }
            copy.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(copy);
    }
}
