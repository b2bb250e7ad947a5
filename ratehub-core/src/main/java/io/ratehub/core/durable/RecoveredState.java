package io.ratehub.core.durable;

import io.ratehub.core.audit.AuditVerification;
import java.util.Objects;

/**
 * What {@link EngineStore#recover(java.time.Duration)} read back: the decisions in force and what the check of the
 * audit chain reported on the way. Immutable and thread-safe.
 *
 * @param state the decisions in force at the last entry read ({@link FoldedState#seq()},
 *     {@link FoldedState#hash()})
 * @param chain the outcome of the chain check over the entries read: valid, with {@code entriesChecked} the number
 *     of entries replayed (a store refuses a broken chain rather than return one)
 */
public record RecoveredState(FoldedState state, AuditVerification chain) {

    /** Checks that both parts are present. */
    public RecoveredState {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(chain, "chain");
    }
}
