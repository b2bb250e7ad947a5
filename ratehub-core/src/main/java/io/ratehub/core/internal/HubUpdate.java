package io.ratehub.core.internal;

import java.time.Instant;

/**
 * One published update of a channel, encoded once and shared by every subscriber.
 *
 * @param channel the channel name
 * @param seq its sequence number in the channel
 * @param key the state key, or {@code null} on event channels
 * @param removed whether it removes the key (state channels)
 * @param time when it was published, for age-bounded history
 * @param frame the update's JSON object as sent on the wire
 * @param priority for private messages: 0 (LOW) to 3 (URGENT); 1 otherwise
 * @param expiresAt for private messages: when they stop being delivered; {@code null} otherwise
 */
public record HubUpdate(String channel, long seq, String key, boolean removed, Instant time, String frame,
                        int priority, Instant expiresAt) {

    /** An update without priority or expiry. */
    public HubUpdate(String channel, long seq, String key, boolean removed, Instant time, String frame) {
        this(channel, seq, key, removed, time, frame, 1, null);
    }

    /** Whether it expired at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
