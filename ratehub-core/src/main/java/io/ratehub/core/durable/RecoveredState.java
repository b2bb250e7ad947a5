package io.ratehub.core.durable;

import io.ratehub.core.audit.AuditVerification;
import java.util.List;
import java.util.Objects;

/**
 * What {@link EngineStore#recover(RecoveryOptions)} read back: the decisions in force and what the check of the
 * audit chain reported on the way. Immutable and thread-safe.
 *
 * @param state the decisions in force at the last entry read ({@link FoldedState#seq()},
 *     {@link FoldedState#hash()})
 * @param chain the outcome of the chain check over the entries read: valid, with {@code entriesChecked} the number
 *     of entries replayed; or, when the start passed accepted breaks, the first of them
 * @param breaksToRecord the breaks {@link RecoveryOptions#acceptBrokenChainAt()} accepted that no
 *     {@code audit.break_accepted} entry records yet: the engine appends one for each once it runs, so that later
 *     starts pass them without the option
 */
public record RecoveredState(FoldedState state, AuditVerification chain, List<AuditVerification> breaksToRecord) {

    /** Checks that every part is present. */
    public RecoveredState {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(chain, "chain");
        breaksToRecord = List.copyOf(breaksToRecord);
    }

    /** A recovery that passed no break it must record. */
    public RecoveredState(FoldedState state, AuditVerification chain) {
        this(state, chain, List.of());
    }
}
