package io.ratehub.client;

import io.ratehub.core.model.StoreRate;

/**
 * A store rate from the client's cache together with whether it may be quoted now. A calculator shows
 * {@link #rate()} for context but quotes only when {@link #live()} is true.
 *
 * <p>Immutable and thread-safe.
 *
 * @param rate the last rate received
 * @param live whether it may be quoted: connected, not stale, its override not ended, and confirmed recently
 * @param notLiveBecause why not, or {@code null} when live
 */
public record LiveRate(StoreRate rate, boolean live, String notLiveBecause) {
}
