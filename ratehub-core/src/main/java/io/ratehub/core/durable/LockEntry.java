package io.ratehub.core.durable;

import io.ratehub.core.model.RateLock;
import java.time.Duration;

/**
 * A remembered rate lock and what makes a repeated lock request recognisable: the request id it was created for
 * and the TTL as requested. Immutable and thread-safe.
 *
 * @param lock the lock in its current state (ACTIVE, or final with its {@code closedAt})
 * @param requestId the request id of its creation, or {@code null} when none was given or its entry predates
 *     request ids in the log
 * @param requestedTtl the TTL as requested, or {@code null} when the engine's default applied (or unknown, for an
 *     older entry)
 */
public record LockEntry(RateLock lock, String requestId, Duration requestedTtl) {
}
