package io.ratehub.server.internal;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per principal id for the HTTP API, as the WebSocket keeps one per connection. A bucket that has
 * refilled completely is the same as a new one, so {@link #forgetFull()} drops those and the map only holds
 * principals active within about the last refill period. Thread-safe.
 */
public final class PrincipalRates {
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final int perMinute;
    private final int burst;
    private final TimeMeter time;

    /**
     * @param perMinute sustained requests per minute
     * @param burst requests allowed at once
     * @param clock the clock the buckets refill by (the engine's, so tests with a virtual clock control it)
     */
    public PrincipalRates(int perMinute, int burst, Clock clock) {
        this.perMinute = perMinute;
        this.burst = burst;
        this.time = new io.ratehub.core.internal.ClockTimeMeter(clock);
    }

    /**
     * Takes one request from {@code principalId}'s bucket.
     *
     * @return 0 when the request may go ahead, otherwise the whole seconds (at least 1) until it could
     */
    public long take(String principalId) {
        Bucket bucket = buckets.computeIfAbsent(principalId, id -> Bucket.builder()
                .withCustomTimePrecision(time)
                .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return 0;
        }
        long nanos = probe.getNanosToWaitForRefill();
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    /** Forgets the buckets that are full again (their principals made no request for a while). */
    public void forgetFull() {
        buckets.entrySet().removeIf(e -> e.getValue().getAvailableTokens() >= burst);
    }

    /** How many principals have a bucket. */
    public int size() {
        return buckets.size();
    }
}
