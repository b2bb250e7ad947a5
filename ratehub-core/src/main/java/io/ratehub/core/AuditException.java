package io.ratehub.core;

/**
 * The audit trail failed: a decision could not be recorded durably ({@link ErrorCode#AUDIT_FAILURE}, and the
 * decision was therefore not made) or the log is closed or unreadable ({@link ErrorCode#AUDIT_CORRUPT}).
 *
 * <p>Immutable and thread-safe.
 */
public class AuditException extends RateHubException {
    private static final long serialVersionUID = 1L;

    /**
     * @param code {@link ErrorCode#AUDIT_FAILURE} or {@link ErrorCode#AUDIT_CORRUPT}
     * @param message what failed
     * @param cause the underlying I/O failure, or {@code null}
     */
    public AuditException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
