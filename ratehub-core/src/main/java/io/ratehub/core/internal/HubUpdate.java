package io.ratehub.core.internal;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * One published update of a channel, encoded once and shared by every subscriber; its rendering for a client time
 * zone is also made once per zone and shared.
 */
public final class HubUpdate {
    private final String channel;
    private final long seq;
    private final String key;
    private final boolean removed;
    private final Instant time;
    private final String frame;
    private final int priority;
    private final Instant expiresAt;
    private final Object slot;
    private volatile Map<ZoneId, String> localized;

    /**
     * @param channel the channel name
     * @param seq its sequence number in the channel
     * @param key the state key, or {@code null} on event channels
     * @param removed whether it removes the key (state channels)
     * @param time when it was published, for age-bounded history
     * @param frame the update's JSON object as sent on the wire
     * @param priority for private messages: 0 (LOW) to 3 (URGENT); 1 otherwise
     * @param expiresAt for private messages: when they stop being delivered; {@code null} otherwise
     * @param slot on state channels (and only there, never null), one object per channel and key that every
     *     session's queue uses as the key's place (so queuing allocates nothing per session); {@code null} on event
     *     channels
     */
    public HubUpdate(String channel, long seq, String key, boolean removed, Instant time, String frame, int priority,
                     Instant expiresAt, Object slot) {
        this.slot = slot;
        this.channel = channel;
        this.seq = seq;
        this.key = key;
        this.removed = removed;
        this.time = time;
        this.frame = frame;
        this.priority = priority;
        this.expiresAt = expiresAt;
    }

    /** The queue slot of a state update's key; {@code null} exactly for event-channel updates. */
    public Object slot() {
        return slot;
    }

    /** The channel name. */
    public String channel() {
        return channel;
    }

    /** The sequence number. */
    public long seq() {
        return seq;
    }

    /** The state key, or {@code null}. */
    public String key() {
        return key;
    }

    /** Whether it removes its key. */
    public boolean removed() {
        return removed;
    }

    /** When it was published. */
    public Instant time() {
        return time;
    }

    /** The frame as sent to clients without a time zone. */
    public String frame() {
        return frame;
    }

    /** The frame for a client in {@code zone}, rendered by {@code render} once per zone. */
    public String frame(ZoneId zone, BiFunction<String, ZoneId, String> render) {
        if (zone == null) {
            return frame;
        }
        Map<ZoneId, String> m = localized;
        if (m == null) {
            synchronized (this) {
                m = localized;
                if (m == null) {
                    m = new ConcurrentHashMap<>(2);
                    localized = m;
                }
            }
        }
        return m.computeIfAbsent(zone, z -> render.apply(frame, z));
    }

    /** The priority, 0-3. */
    public int priority() {
        return priority;
    }

    /** When a private message expires, or {@code null}. */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** Whether it expired at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "HubUpdate[" + channel + "#" + seq + (key == null ? "" : " " + key) + "]";
    }
}
