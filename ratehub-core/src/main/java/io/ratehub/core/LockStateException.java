package io.ratehub.core;

/**
 * A rate-lock request that the lock's state does not allow: the lock does not exist
 * ({@link ErrorCode#LOCK_NOT_FOUND}), expired ({@link ErrorCode#LOCK_EXPIRED}), was cancelled
 * ({@link ErrorCode#LOCK_CANCELLED}) or was completed by another transaction
 * ({@link ErrorCode#LOCK_ALREADY_COMPLETED}). Nothing was changed.
 *
 * <p>Immutable and thread-safe.
 */
public class LockStateException extends RateHubException {
    private static final long serialVersionUID = 1L;

    private final String lockId;

    /**
     * @param code one of the lock codes
     * @param lockId the lock the request named
     * @param message what went wrong
     */
    public LockStateException(ErrorCode code, String lockId, String message) {
        super(code, message);
        this.lockId = lockId;
    }

    /** The id of the lock the request named. */
    public String lockId() {
        return lockId;
    }
}
