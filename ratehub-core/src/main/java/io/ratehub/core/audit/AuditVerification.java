package io.ratehub.core.audit;

/**
 * The outcome of {@link AuditLog#verify()}: either the whole chain checks out, or the first entry that does not.
 *
 * <p>Immutable and thread-safe.
 *
 * @param valid whether every entry's sequence and hash check out
 * @param entriesChecked how many entries were read
 * @param firstBadSeq the sequence number expected at the first bad place (an edited entry's own number, or the
 *     number missing where entries were removed or reordered); 0 when valid
 * @param firstBadLine the 1-based line number of the first bad entry in the file; 0 when valid
 * @param problem what is wrong there, or {@code null} when valid
 */
public record AuditVerification(boolean valid, long entriesChecked, long firstBadSeq, long firstBadLine,
                                String problem) {

    /** A successful verification of {@code entries} entries. */
    public static AuditVerification ok(long entries) {
        return new AuditVerification(true, entries, 0, 0, null);
    }

    /** A failed verification. */
    public static AuditVerification failed(long checked, long seq, long line, String problem) {
        return new AuditVerification(false, checked, seq, line, problem);
    }
}
