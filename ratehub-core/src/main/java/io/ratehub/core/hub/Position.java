package io.ratehub.core.hub;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;

/**
 * A subscriber's place in a channel: the channel's epoch (which changes when the channel's history starts anew,
 * for example after a hub restart) and the sequence number of the last update it received.
 *
 * <p>Immutable and thread-safe.
 *
 * @param epoch the channel epoch the sequence number belongs to
 * @param seq the last sequence number received, {@code >= 0}
 */
public record Position(String epoch, long seq) {
    /** Validates the epoch (an identifier) and that {@code seq >= 0}. */
    public Position {
        Require.id("epoch", epoch);
        if (seq < 0) {
            throw new ValidationException("seq", seq, "must be >= 0");
        }
    }
}
