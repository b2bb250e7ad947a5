package io.ratehub.core.audit;

import io.ratehub.core.ValidationException;

/**
 * What {@link FileAuditLog#open(java.nio.file.Path)} repaired: a torn tail, that is an incomplete or unparsable
 * last line left by a crash in the middle of a write, is cut off. No acknowledged entry is ever in a torn tail,
 * because an append returns only after its whole line is on disk.
 *
 * <p>Immutable and thread-safe.
 *
 * @param tornTailRepaired whether a torn tail was cut off
 * @param bytesDiscarded how many bytes were cut off the end of the file, 0 when nothing was repaired
 */
public record AuditRecovery(boolean tornTailRepaired, long bytesDiscarded) {
    /** Nothing needed repair. */
    public static final AuditRecovery NONE = new AuditRecovery(false, 0);

    /** Checks that the byte count is consistent with the flag. */
    public AuditRecovery {
        if (bytesDiscarded < 0 || tornTailRepaired != (bytesDiscarded > 0)) {
            throw new ValidationException("bytesDiscarded", bytesDiscarded,
                    "must be > 0 exactly when a torn tail was repaired");
        }
    }
}
