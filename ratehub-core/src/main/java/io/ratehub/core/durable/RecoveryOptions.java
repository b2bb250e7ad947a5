package io.ratehub.core.durable;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How {@link EngineStore#recover(RecoveryOptions)} reads the state back: the engine's lock retention, and the one
 * break in the audit chain an operator has investigated and allows the start to pass. The engine's builder makes
 * it; stores read it. A final class rather than a record, so that options added later (such as ignoring a
 * checkpoint) do not break callers. Immutable and thread-safe.
 */
public final class RecoveryOptions {
    private final Duration lockRetention;
    private final long acceptBrokenChainAt;

    private RecoveryOptions(Duration lockRetention, long acceptBrokenChainAt) {
        this.lockRetention = lockRetention;
        this.acceptBrokenChainAt = acceptBrokenChainAt;
    }

    /**
     * Options with the engine's lock retention and no break accepted.
     *
     * @param lockRetention how long a finished lock is remembered after it closed, not negative
     */
    public static RecoveryOptions of(Duration lockRetention) {
        Require.notNull("lockRetention", lockRetention);
        if (lockRetention.isNegative()) {
            throw new ValidationException("lockRetention", lockRetention, "must not be negative");
        }
        return new RecoveryOptions(lockRetention, 0);
    }

    /**
     * These options, also accepting the break at {@code seq}: the seq an {@link
     * io.ratehub.core.audit.AuditChainException} named. Any other break still refuses the start.
     *
     * @param seq the seq at the break, >= 1
     */
    public RecoveryOptions acceptingBrokenChainAt(long seq) {
        if (seq < 1) {
            throw new ValidationException("acceptBrokenChainAt", seq, "must be >= 1");
        }
        return new RecoveryOptions(lockRetention, seq);
    }

    /** How long a finished lock is remembered after it closed: the engine's {@code lockRetention}. */
    public Duration lockRetention() {
        return lockRetention;
    }

    /** The seq of the break the operator accepts, if any. Default: none. */
    public OptionalLong acceptBrokenChainAt() {
        return acceptBrokenChainAt == 0 ? OptionalLong.empty() : OptionalLong.of(acceptBrokenChainAt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecoveryOptions r && r.lockRetention.equals(lockRetention)
                && r.acceptBrokenChainAt == acceptBrokenChainAt;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lockRetention, acceptBrokenChainAt);
    }

    @Override
    public String toString() {
        return "RecoveryOptions[lockRetention=" + lockRetention + ", acceptBrokenChainAt="
                + (acceptBrokenChainAt == 0 ? "none" : acceptBrokenChainAt) + "]";
    }
}
