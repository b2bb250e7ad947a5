package io.ratehub.core.internal;

import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Instant;

/**
 * Bucket4j's time read from a {@link Clock} (the engine's), so that message and request rates follow a virtual clock
 * in tests. Immutable and thread-safe.
 *
 * @param clock where the time comes from
 */
public record ClockTimeMeter(Clock clock) implements TimeMeter {
    @Override
    public long currentTimeNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public boolean isWallClockBased() {
        return true;
    }
}
