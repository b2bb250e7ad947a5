package io.ratehub.core;

/**
 * One audit entry of a known action cannot be read back as the decision it records: a value the engine always
 * writes is missing or cannot be parsed. Code {@link ErrorCode#AUDIT_CORRUPT}: it is the log's content that is
 * wrong, not a caller's input, so a start that replays the log refuses rather than guessing.
 *
 * <p>The message names the entry's sequence number, its action and the key, for example
 * {@code audit entry seq 42 (lock.created): after.amount must be a decimal number, was "abc"}. {@link #key()} is the
 * entry field ({@code store}, {@code pair}, {@code actor}, {@code time}) or a map key prefixed with its map
 * ({@code after.amount}, {@code before.kind}). Immutable and thread-safe.
 */
public class AuditEntryException extends AuditException {
    private static final long serialVersionUID = 1L;

    private final long seq;
    private final String key;

    /**
     * @param seq the entry's sequence number
     * @param action the entry's action
     * @param key the missing or ill-formed field, as described above
     * @param problem what is wrong with it
     */
    public AuditEntryException(long seq, String action, String key, String problem) {
        super(ErrorCode.AUDIT_CORRUPT, "audit entry seq " + seq + " (" + action + "): " + key + " " + problem, null);
        this.seq = seq;
        this.key = key;
    }

    /** The sequence number of the entry that could not be read. */
    public long seq() {
        return seq;
    }

    /** The missing or ill-formed field: {@code store}, {@code pair}, {@code after.amount}, ... */
    public String key() {
        return key;
    }
}
