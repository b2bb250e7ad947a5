package io.ratehub.core.model;

/** The life of a {@link RateLock}: it starts {@link #ACTIVE} and ends in exactly one of the other states. */
public enum LockStatus {
    /** Holding the rate; may be completed or cancelled until it expires. */
    ACTIVE,
    /** Completed by a transaction; final. */
    COMPLETED,
    /** Cancelled before completion; final. */
    CANCELLED,
    /** Reached its expiry time without completion; final. */
    EXPIRED;

    /** Whether no further transition is possible. */
    public boolean isFinal() {
        return this != ACTIVE;
    }
}
