package io.ratehub.client;

import io.ratehub.core.ValidationException;
import java.time.Duration;
import java.util.Random;

/**
 * How a {@link RateHubClient} waits between reconnect attempts: exponential backoff from {@link #initialDelay()},
 * doubling up to {@link #maxDelay()}, each delay varied at random by up to {@link #jitter()} (a fraction) so that
 * many clients cut off together do not return together, for at most {@link #maxAttempts()} attempts (0: keep
 * trying).
 *
 * <p>Immutable and thread-safe.
 *
 * @param initialDelay the first wait
 * @param maxDelay the cap
 * @param jitter the random variation, 0 to 1
 * @param maxAttempts attempts before giving up, 0 for no limit
 */
public record ReconnectPolicy(Duration initialDelay, Duration maxDelay, double jitter, int maxAttempts) {
    /** Default: 250 ms doubling to 30 s, 20% jitter, no attempt limit. */
    public static final ReconnectPolicy DEFAULT = new ReconnectPolicy(Duration.ofMillis(250), Duration.ofSeconds(30),
            0.2, 0);

    /** Validates the values. */
    public ReconnectPolicy {
        if (initialDelay == null || initialDelay.isNegative() || initialDelay.isZero()) {
            throw new ValidationException("initialDelay", initialDelay, "must be > 0");
        }
        if (maxDelay == null || maxDelay.compareTo(initialDelay) < 0) {
            throw new ValidationException("maxDelay", maxDelay, "must be >= initialDelay");
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new ValidationException("jitter", jitter, "must be between 0 and 1");
        }
        if (maxAttempts < 0) {
            throw new ValidationException("maxAttempts", maxAttempts, "must be >= 0");
        }
    }

    /** The wait before attempt {@code attempt} (1-based), with jitter drawn from {@code random}. */
    public Duration delay(int attempt, Random random) {
        long base = initialDelay.toNanos();
        long cap = maxDelay.toNanos();
        long d = base;
        for (int i = 1; i < attempt && d < cap; i++) {
            d = Math.min(cap, d * 2);
        }
        double factor = 1 + jitter * (random.nextDouble() * 2 - 1);
        return Duration.ofNanos(Math.max(1, (long) (d * factor)));
    }

    /** Whether attempt {@code attempt} (1-based) may still be made. */
    public boolean allows(int attempt) {
        return maxAttempts == 0 || attempt <= maxAttempts;
    }
}
