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
 */
public record HubUpdate(String channel, long seq, String key, boolean removed, Instant time, String frame) {
}
