package io.ratehub.core.hub;

/**
 * The priority of a private message to a user ({@link RateHub#sendToUser}). Messages kept for a user while offline
 * are delivered on return by priority, highest first, then in the order they were sent; when the user's box is
 * full, the lowest-priority, oldest message makes room.
 */
public enum Priority {
    /** Informational. */
    LOW,
    /** The default. */
    NORMAL,
    /** Needs attention. */
    HIGH,
    /** Needs attention now. */
    URGENT
}
